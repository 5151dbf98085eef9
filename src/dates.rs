//! Dates and intervals: the calendar date front matter and git give, its parser, and review
//! intervals (`90d`, `6m`). A leaf below `config`, `git` and `model`, which all speak dates.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// A calendar date from front matter (`2026-03-14`, or the date part of a timestamp).
pub type Date = jiff::civil::Date;

/// Parses `YYYY-MM-DD`, optionally followed by a time that must itself be valid: `T10:00:00Z`,
/// ` 10:00`, `T10:00:00.5+05:30`, Jekyll's ` 10:00:00 +0100`. The date is the one written.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let date_part = text.get(..10)?;
    let rest = &text[10..];
    if !rest.is_empty() {
        let time = rest.strip_prefix(['T', 't', ' '])?;
        is_time_of_day(time).then_some(())?;
    }
    date_part.parse().ok()
}

/// `HH:MM[:SS[.fraction]]`, then nothing, `Z` or an offset `±HH[:]MM` / `±HH`, the offset
/// optionally after a space.
fn is_time_of_day(text: &str) -> bool {
    fn two_digits(text: &str, max: u8) -> Option<&str> {
        let digits = text.get(..2)?;
        let value: u8 = digits
            .parse()
            .ok()
            .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))?;
        (value <= max).then(|| &text[2..])
    }
    let Some(rest) = two_digits(text, 23).and_then(|rest| rest.strip_prefix(':')) else {
        return false;
    };
    let Some(mut rest) = two_digits(rest, 59) else {
        return false;
    };
    if let Some(seconds) = rest.strip_prefix(':') {
        let Some(after) = two_digits(seconds, 60) else {
            return false;
        };
        rest = after;
        if let Some(fraction) = rest.strip_prefix(['.', ',']) {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return false;
            }
            rest = &fraction[digits..];
        }
    }
    let offset = rest.strip_prefix(' ').unwrap_or(rest);
    if offset.is_empty() || offset == "Z" || offset == "z" {
        return true;
    }
    let Some(offset) = offset.strip_prefix(['+', '-']) else {
        return false;
    };
    match two_digits(offset, 23) {
        Some("") => true,
        Some(minutes) => {
            let minutes = minutes.strip_prefix(':').unwrap_or(minutes);
            two_digits(minutes, 59) == Some("")
        }
        None => false,
    }
}

/// A review interval: `90d`, `2w`, `6m`, `1y` (or spelled out: `6 months`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interval {
    /// How many units.
    pub amount: u16,
    /// Days, weeks, months or years.
    pub unit: Unit,
}

/// The unit of an [`Interval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Calendar days.
    Day,
    /// Seven days.
    Week,
    /// Calendar months (the 31st plus one month is the last day of the next month).
    Month,
    /// Calendar years.
    Year,
}

impl Interval {
    /// Parses `90d`, `12w`, `6m`, `1y`, `6 months`, `1 year`.
    pub fn parse(text: &str) -> Result<Interval, String> {
        let text = text.trim();
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        let unit = match text[digits..].trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "days" => Some(Unit::Day),
            "w" | "week" | "weeks" => Some(Unit::Week),
            "m" | "mo" | "month" | "months" => Some(Unit::Month),
            "y" | "year" | "years" => Some(Unit::Year),
            _ => None,
        };
        let amount = text[..digits].parse::<u16>().ok().filter(|&n| n > 0);
        match (amount, unit) {
            (Some(amount), Some(unit)) => Ok(Interval { amount, unit }),
            _ => Err(format!(
                "'{text}' is not a review interval; write a number and a unit: `90d`, `12w`, `6m` or `1y`"
            )),
        }
    }

    /// The date one interval after `date`; `None` past the end of the calendar.
    pub fn after(self, date: Date) -> Option<Date> {
        let amount = i64::from(self.amount);
        let span = match self.unit {
            Unit::Day => jiff::Span::new().try_days(amount),
            Unit::Week => jiff::Span::new().try_weeks(amount),
            Unit::Month => jiff::Span::new().try_months(amount),
            Unit::Year => jiff::Span::new().try_years(amount),
        };
        date.checked_add(span.ok()?).ok()
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            Unit::Day => 'd',
            Unit::Week => 'w',
            Unit::Month => 'm',
            Unit::Year => 'y',
        };
        write!(f, "{}{unit}", self.amount)
    }
}

impl<'de> Deserialize<'de> for Interval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Interval::parse(&text).map_err(serde::de::Error::custom)
    }
}
