//! The HTML rendering of a report (being written).

use super::model::Report;

/// A self-contained HTML page.
pub fn render(r: &Report) -> String {
    format!(
        "<!DOCTYPE html><html><body><pre>{}</pre></body></html>",
        crate::sink::cot::xml_escape(&super::text::render(r))
    )
}
