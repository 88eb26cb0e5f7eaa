//! Terminal UI: a table of aircraft, a map, a detail pane, an alert log and
//! per-channel statistics (issue 6).
//!
//! Elm-like: [`model`] is the state as plain data (no ratatui types, no
//! tracker types: an adapter fills it), [`update`] changes it in response
//! to an [`Action`] (a key, or new data from outside) and returns a
//! [`Command`] for the replay driver (pause, speed, quit), and [`draw`]
//! renders it. [`run`] ties them together over any ratatui backend and any
//! [`EventSource`], so it runs in tests on `TestBackend` with scripted
//! keys; [`run_terminal`] is the same on the real terminal (alternate
//! screen and raw mode, restored on return, on error and on panic).

pub mod adapter;
pub mod draw;
pub mod model;
pub mod update;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::io;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};

pub use model::TuiState;
pub use update::{Action, Command, action_for_key, update};

/// How long [`run`] waits for a key before looking at the updates again.
pub const TICK: Duration = Duration::from_millis(100);

/// Most updates applied between two redraws (keys stay responsive when a
/// fast replay floods the channel).
pub const MAX_UPDATES_PER_FRAME: usize = 10_000;

/// Where terminal events come from.
pub trait EventSource {
    /// The next event, or `None` when there was none within `timeout`.
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// The real terminal's events (crossterm).
#[derive(Debug, Default)]
pub struct CrosstermEvents;

impl EventSource for CrosstermEvents {
    fn next_event(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if crossterm::event::poll(timeout)? { crossterm::event::read().map(Some) } else { Ok(None) }
    }
}

/// A fixed list of events, for tests. When it runs out it fails with
/// `UnexpectedEof`, so a test that forgets `q` ends instead of hanging.
#[derive(Debug, Default)]
pub struct ScriptedEvents(pub VecDeque<Event>);

impl ScriptedEvents {
    pub fn new(events: impl IntoIterator<Item = Event>) -> Self {
        Self(events.into_iter().collect())
    }
}

impl EventSource for ScriptedEvents {
    fn next_event(&mut self, _timeout: Duration) -> io::Result<Option<Event>> {
        match self.0.pop_front() {
            Some(e) => Ok(Some(e)),
            None => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "scripted events ran out")),
        }
    }
}

/// The UI loop: apply the pending updates from `updates`, draw, wait for
/// one event, apply it; until `q`. A closed `updates` channel marks the
/// input finished (the view stays). Every [`Command`] other than
/// `Command::None` goes to `on_command` (the replay driver's pause and
/// speed). Returns when the user quits.
pub fn run<B, E>(
    terminal: &mut Terminal<B>,
    state: &mut TuiState,
    updates: &Receiver<Action>,
    events: &mut E,
    mut on_command: impl FnMut(Command),
) -> io::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: EventSource,
{
    let mut apply = |state: &mut TuiState, action: Action| {
        let command = update(state, action);
        if command != Command::None {
            on_command(command);
        }
    };
    loop {
        for _ in 0..MAX_UPDATES_PER_FRAME {
            match updates.try_recv() {
                Ok(action) => apply(state, action),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if !state.finished {
                        apply(state, Action::Finished);
                    }
                    break;
                }
            }
        }
        terminal.draw(|frame| draw::draw(frame, state)).map_err(io::Error::other)?;
        if state.quit {
            return Ok(());
        }
        // Other events (a resize) are picked up by the next draw.
        if let Some(Event::Key(key)) = events.next_event(TICK)?
            && let Some(action) = action_for_key(key)
        {
            apply(state, action);
        }
        if state.quit {
            return Ok(());
        }
    }
}

/// Set while the terminal is in raw mode on the alternate screen.
static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: Once = Once::new();

fn restore_terminal() -> io::Result<()> {
    if TERMINAL_ACTIVE.swap(false, Ordering::SeqCst) {
        let raw = crossterm::terminal::disable_raw_mode();
        crossterm::execute!(io::stdout(), crossterm::terminal::LeaveAlternateScreen, crossterm::cursor::Show)?;
        raw?;
    }
    Ok(())
}

/// Restores the terminal when dropped (return, `?`, unwinding).
struct TerminalGuard;

impl TerminalGuard {
    fn enter() -> io::Result<Self> {
        PANIC_HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                // The message must land on the normal screen, readable.
                let _ = restore_terminal();
                previous(info);
            }));
        });
        crossterm::terminal::enable_raw_mode()?;
        TERMINAL_ACTIVE.store(true, Ordering::SeqCst);
        let guard = TerminalGuard;
        crossterm::execute!(io::stdout(), crossterm::terminal::EnterAlternateScreen)?;
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore_terminal();
    }
}

/// [`run`] on the real terminal: alternate screen, raw mode and hidden
/// cursor while it runs; the terminal is restored however it ends.
pub fn run_terminal(
    state: &mut TuiState,
    updates: &Receiver<Action>,
    on_command: impl FnMut(Command),
) -> io::Result<()> {
    let guard = TerminalGuard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    terminal.hide_cursor()?;
    terminal.clear()?;
    let result = run(&mut terminal, state, updates, &mut CrosstermEvents, on_command);
    drop(terminal);
    drop(guard);
    result
}
