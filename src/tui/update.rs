//! State changes: keys and data from outside become [`Action`]s, and
//! [`update`] applies one to the [`TuiState`]. No I/O, no clock.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::model::{AircraftView, AlertView, ChannelStat, GeoPoint, LogView, TuiState, ZoneView};

/// Everything that changes the UI state.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    // Keys.
    /// Select the previous row.
    Up,
    /// Select the next row.
    Down,
    /// Select the first row.
    First,
    /// Select the last row.
    Last,
    /// Show or hide the detail pane.
    ToggleDetail,
    /// Next zoom level (closer; after the closest, auto).
    ZoomIn,
    /// Previous zoom level.
    ZoomOut,
    /// Pause or resume the replay.
    TogglePause,
    /// Next replay speed step.
    Faster,
    /// Previous replay speed step.
    Slower,
    /// Show or hide the map pane.
    ToggleMap,
    /// Show or hide the log pane.
    ToggleLog,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Close the help overlay, else the detail pane.
    Back,
    /// Leave.
    Quit,

    // Data from outside.
    /// Replace the aircraft list (the selection follows the selected ID).
    SetAircraft(Vec<AircraftView>),
    /// Replace the alert log.
    SetAlerts(Vec<AlertView>),
    /// Add one alert.
    PushAlert(AlertView),
    /// Replace the free-text log.
    SetLog(Vec<LogView>),
    /// Add one log line.
    PushLog(LogView),
    /// Replace the per-channel statistics.
    SetChannels(Vec<ChannelStat>),
    /// Replace the alert zones.
    SetZones(Vec<ZoneView>),
    /// Set (or forget) the sensor position.
    SetSensor(Option<GeoPoint>),
    /// Advance the replay clock: capture seconds and, when known, UTC text.
    SetClock { time_s: f64, utc: Option<String> },
    /// The live receiver's status line (rate achieved, CPU, drops, what is
    /// being listened to).
    SetReceiver(String),
    /// The input has ended.
    Finished,
}

/// What the caller has to do after an [`update`]: the replay driver
/// follows pause and speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Command {
    None,
    /// Pause (`true`) or resume the replay.
    SetPaused(bool),
    /// Change the replay speed.
    SetSpeed(super::model::ReplaySpeed),
    /// Stop and restore the terminal.
    Quit,
}

/// Most log lines kept (the oldest go first).
pub const MAX_LOG: usize = 1000;

/// Apply one action.
pub fn update(state: &mut TuiState, action: Action) -> Command {
    match action {
        Action::Up => state.selected = state.selected.saturating_sub(1),
        Action::Down => {
            if state.selected + 1 < state.aircraft.len() {
                state.selected += 1;
            }
        }
        Action::First => state.selected = 0,
        Action::Last => state.selected = state.aircraft.len().saturating_sub(1),
        Action::ToggleDetail => state.panes.detail = !state.panes.detail,
        Action::ZoomIn => state.zoom = state.zoom.zoom_in(),
        Action::ZoomOut => state.zoom = state.zoom.zoom_out(),
        Action::TogglePause => {
            state.paused = !state.paused;
            return Command::SetPaused(state.paused);
        }
        Action::Faster => {
            state.speed = state.speed.faster();
            return Command::SetSpeed(state.speed);
        }
        Action::Slower => {
            state.speed = state.speed.slower();
            return Command::SetSpeed(state.speed);
        }
        Action::ToggleMap => state.panes.map = !state.panes.map,
        Action::ToggleLog => state.panes.log = !state.panes.log,
        Action::ToggleHelp => state.help = !state.help,
        Action::Back => {
            if state.help {
                state.help = false;
            } else {
                state.panes.detail = false;
            }
        }
        Action::Quit => {
            state.quit = true;
            return Command::Quit;
        }
        Action::SetAircraft(list) => {
            let selected_id = state.selected_aircraft().map(|a| a.id.clone());
            state.aircraft = list;
            state.selected = match selected_id.and_then(|id| state.aircraft.iter().position(|a| a.id == id)) {
                Some(row) => row,
                None => state.selected.min(state.aircraft.len().saturating_sub(1)),
            };
        }
        Action::SetAlerts(alerts) => {
            state.alerts = alerts;
            trim(&mut state.alerts);
        }
        Action::PushAlert(alert) => {
            state.alerts.push(alert);
            trim(&mut state.alerts);
        }
        Action::SetLog(log) => {
            state.log = log;
            trim(&mut state.log);
        }
        Action::PushLog(line) => {
            state.log.push(line);
            trim(&mut state.log);
        }
        Action::SetChannels(channels) => state.channels = channels,
        Action::SetZones(zones) => state.zones = zones,
        Action::SetSensor(sensor) => state.sensor = sensor,
        Action::SetClock { time_s, utc } => {
            state.clock_s = time_s;
            state.clock_utc = utc;
        }
        Action::SetReceiver(line) => state.receiver = Some(line),
        Action::Finished => state.finished = true,
    }
    Command::None
}

fn trim<T>(v: &mut Vec<T>) {
    if v.len() > MAX_LOG {
        let extra = v.len() - MAX_LOG;
        v.drain(..extra);
    }
}

/// The action a key press stands for, if any.
pub fn action_for_key(key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            KeyCode::Char('c') => Some(Action::Quit),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::Home | KeyCode::PageUp => Action::First,
        KeyCode::End | KeyCode::PageDown => Action::Last,
        KeyCode::Enter => Action::ToggleDetail,
        KeyCode::Char('z') => Action::ZoomIn,
        KeyCode::Char('Z') => Action::ZoomOut,
        KeyCode::Char('p') | KeyCode::Char(' ') => Action::TogglePause,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::Faster,
        KeyCode::Char('-') | KeyCode::Char('_') => Action::Slower,
        KeyCode::Char('m') => Action::ToggleMap,
        KeyCode::Char('l') => Action::ToggleLog,
        KeyCode::Char('?') | KeyCode::Char('h') => Action::ToggleHelp,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('q') => Action::Quit,
        _ => return None,
    })
}

/// The keys, for the help overlay: (keys, what they do).
pub const KEY_HELP: [(&str, &str); 11] = [
    ("Up / Down, k / j", "select aircraft"),
    ("Home / End", "first / last aircraft"),
    ("Enter", "show / hide detail pane"),
    ("z / Z", "zoom in / out (cycles, then auto)"),
    ("p, Space", "pause / resume replay"),
    ("+ / -", "replay speed x1 x2 x4 x8 x16 max"),
    ("m", "show / hide map"),
    ("l", "show / hide log"),
    ("?", "show / hide this help"),
    ("Esc", "close help, then detail"),
    ("q, Ctrl-C", "quit"),
];

#[cfg(test)]
mod tests {
    use super::super::model::{AlertKind, Panes, ReplaySpeed, Zoom};
    use super::*;

    fn ac(id: &str) -> AircraftView {
        AircraftView { id: id.to_string(), ..AircraftView::default() }
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn state3() -> TuiState {
        let mut s = TuiState::new("test");
        update(&mut s, Action::SetAircraft(vec![ac("A"), ac("B"), ac("C")]));
        s
    }

    #[test]
    fn arrows_select_within_bounds() {
        let mut s = state3();
        assert_eq!(s.selected, 0);
        update(&mut s, Action::Up);
        assert_eq!(s.selected, 0);
        update(&mut s, Action::Down);
        update(&mut s, Action::Down);
        assert_eq!(s.selected, 2);
        update(&mut s, Action::Down);
        assert_eq!(s.selected, 2);
        update(&mut s, Action::Up);
        assert_eq!(s.selected_aircraft().map(|a| a.id.as_str()), Some("B"));
        update(&mut s, Action::First);
        assert_eq!(s.selected, 0);
        update(&mut s, Action::Last);
        assert_eq!(s.selected, 2);
    }

    #[test]
    fn arrows_with_no_aircraft() {
        let mut s = TuiState::new("x");
        update(&mut s, Action::Down);
        update(&mut s, Action::Last);
        update(&mut s, Action::Up);
        assert_eq!(s.selected, 0);
        assert!(s.selected_aircraft().is_none());
    }

    #[test]
    fn selection_follows_id_when_list_changes() {
        let mut s = state3();
        update(&mut s, Action::Down); // B
        update(&mut s, Action::SetAircraft(vec![ac("D"), ac("C"), ac("B"), ac("A")]));
        assert_eq!(s.selected_aircraft().map(|a| a.id.as_str()), Some("B"));
        // B gone: the row stays, clamped to the list.
        update(&mut s, Action::SetAircraft(vec![ac("D")]));
        assert_eq!(s.selected, 0);
        update(&mut s, Action::SetAircraft(vec![]));
        assert_eq!(s.selected, 0);
    }

    #[test]
    fn enter_toggles_detail_and_esc_closes() {
        let mut s = state3();
        assert!(!s.panes.detail);
        assert_eq!(update(&mut s, Action::ToggleDetail), Command::None);
        assert!(s.panes.detail);
        update(&mut s, Action::ToggleDetail);
        assert!(!s.panes.detail);
        update(&mut s, Action::ToggleDetail);
        update(&mut s, Action::ToggleHelp);
        update(&mut s, Action::Back);
        assert!(!s.help && s.panes.detail);
        update(&mut s, Action::Back);
        assert!(!s.panes.detail);
    }

    #[test]
    fn zoom_keys() {
        let mut s = state3();
        assert_eq!(s.zoom, Zoom::Auto);
        update(&mut s, Action::ZoomIn);
        assert_eq!(s.zoom, Zoom::Level(0));
        update(&mut s, Action::ZoomIn);
        assert_eq!(s.zoom, Zoom::Level(1));
        update(&mut s, Action::ZoomOut);
        update(&mut s, Action::ZoomOut);
        assert_eq!(s.zoom, Zoom::Auto);
    }

    #[test]
    fn pause_and_speed_return_commands() {
        let mut s = state3();
        assert_eq!(update(&mut s, Action::TogglePause), Command::SetPaused(true));
        assert!(s.paused);
        assert_eq!(update(&mut s, Action::TogglePause), Command::SetPaused(false));
        s.speed = ReplaySpeed::Times(1);
        assert_eq!(update(&mut s, Action::Faster), Command::SetSpeed(ReplaySpeed::Times(2)));
        for _ in 0..10 {
            update(&mut s, Action::Faster);
        }
        assert_eq!(s.speed, ReplaySpeed::Max);
        assert_eq!(update(&mut s, Action::Slower), Command::SetSpeed(ReplaySpeed::Times(16)));
        for _ in 0..10 {
            update(&mut s, Action::Slower);
        }
        assert_eq!(s.speed, ReplaySpeed::Times(1));
    }

    #[test]
    fn quit_help_and_panes() {
        let mut s = state3();
        update(&mut s, Action::ToggleHelp);
        assert!(s.help);
        update(&mut s, Action::ToggleHelp);
        assert!(!s.help);
        update(&mut s, Action::ToggleMap);
        update(&mut s, Action::ToggleLog);
        assert_eq!(s.panes, Panes { map: false, detail: false, log: false });
        assert_eq!(update(&mut s, Action::Quit), Command::Quit);
        assert!(s.quit);
    }

    #[test]
    fn data_actions() {
        let mut s = TuiState::new("x");
        let alert = AlertView { time_s: 1.0, serial: "A".into(), zone: "Z".into(), kind: AlertKind::Entered };
        update(&mut s, Action::PushAlert(alert.clone()));
        update(&mut s, Action::SetAlerts(vec![alert.clone(), alert.clone()]));
        assert_eq!(s.alerts.len(), 2);
        for i in 0..(MAX_LOG + 5) {
            update(&mut s, Action::PushLog(LogView { time_s: i as f64, text: String::new() }));
        }
        assert_eq!(s.log.len(), MAX_LOG);
        assert_eq!(s.log[0].time_s, 5.0);
        update(&mut s, Action::SetLog(vec![]));
        assert!(s.log.is_empty());
        update(
            &mut s,
            Action::SetChannels(vec![ChannelStat { name: "BLE 37".into(), frames: 3, errors: 1, last_rssi_db: None }]),
        );
        assert_eq!(s.channels.len(), 1);
        update(&mut s, Action::SetZones(vec![]));
        update(&mut s, Action::SetSensor(Some(GeoPoint::new(1.0, 2.0))));
        assert_eq!(s.sensor, Some(GeoPoint::new(1.0, 2.0)));
        update(&mut s, Action::SetClock { time_s: 12.5, utc: None });
        assert_eq!(s.clock_s, 12.5);
        assert!(!s.finished);
        update(&mut s, Action::Finished);
        assert!(s.finished);
    }

    #[test]
    fn every_key_maps() {
        let cases = [
            (KeyCode::Up, Action::Up),
            (KeyCode::Down, Action::Down),
            (KeyCode::Char('k'), Action::Up),
            (KeyCode::Char('j'), Action::Down),
            (KeyCode::Home, Action::First),
            (KeyCode::End, Action::Last),
            (KeyCode::Enter, Action::ToggleDetail),
            (KeyCode::Char('z'), Action::ZoomIn),
            (KeyCode::Char('Z'), Action::ZoomOut),
            (KeyCode::Char('p'), Action::TogglePause),
            (KeyCode::Char(' '), Action::TogglePause),
            (KeyCode::Char('+'), Action::Faster),
            (KeyCode::Char('='), Action::Faster),
            (KeyCode::Char('-'), Action::Slower),
            (KeyCode::Char('m'), Action::ToggleMap),
            (KeyCode::Char('l'), Action::ToggleLog),
            (KeyCode::Char('?'), Action::ToggleHelp),
            (KeyCode::Esc, Action::Back),
            (KeyCode::Char('q'), Action::Quit),
        ];
        for (code, action) in cases {
            assert_eq!(action_for_key(key(code)), Some(action), "{code:?}");
        }
        assert_eq!(action_for_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::Quit));
        assert_eq!(action_for_key(key(KeyCode::Char('x'))), None);
        let mut release = key(KeyCode::Char('q'));
        release.kind = KeyEventKind::Release;
        assert_eq!(action_for_key(release), None);
    }
}
