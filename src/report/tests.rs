//! Scenario tests of the analyzer.
