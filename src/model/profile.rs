//! A person's or team's profile: name, role, time zone, working hours, how to reach them.
//! Plain data read from front matter (`page` fills it in); `people` relates profiles to the rest
//! of the handbook.

use std::fmt;

use jiff::tz::TimeZone;

use crate::dates::Date;
use crate::diagnostics::closest;

/// Minutes in a day.
const DAY: u16 = 1440;
/// Working hours and overlaps are counted in quarter hours.
pub const SLOT_MINUTES: u16 = 15;
/// Quarter hours in a day.
pub const SLOTS: usize = 96;

/// An IANA time zone, with the name as written.
#[derive(Debug, Clone)]
pub struct Zone {
    /// `Asia/Kolkata`.
    pub name: String,
    /// The zone's rules.
    pub tz: TimeZone,
}

impl Zone {
    /// Looks up an IANA name (`Europe/Berlin`; case does not matter).
    pub fn parse(text: &str) -> Result<Zone, String> {
        let name = text.trim();
        match TimeZone::get(name) {
            Ok(tz) => Ok(Zone {
                name: tz.iana_name().unwrap_or(name).to_string(),
                tz,
            }),
            Err(_) => {
                let names: Vec<String> = jiff::tz::db()
                    .available()
                    .map(|zone| zone.as_str().to_string())
                    .collect();
                let hint = closest(name, names.iter().map(String::as_str))
                    .map(|near| format!("; did you mean `{near}`?"))
                    .unwrap_or_default();
                Err(format!(
                    "'{name}' is not an IANA time zone name like `Europe/Berlin` or \
                     `Asia/Kolkata` (abbreviations such as CET or IST are ambiguous){hint}"
                ))
            }
        }
    }

    /// Minutes east of UTC at noon UTC on `date` (daylight saving included).
    pub fn offset_minutes(&self, date: Date) -> i32 {
        TimeZone::UTC
            .to_timestamp(date.at(12, 0, 0, 0))
            .map_or(0, |at| self.tz.to_offset(at).seconds() / 60)
    }
}

/// `UTC+05:30`, `UTC−03:00`, `UTC`.
pub fn utc_offset(minutes: i32) -> String {
    if minutes == 0 {
        return "UTC".to_string();
    }
    let sign = if minutes < 0 { '−' } else { '+' };
    let minutes = minutes.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Working hours on the local clock. `end` before `start` runs past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hours {
    /// Minutes after local midnight.
    pub start: u16,
    /// Minutes after local midnight (1440 for midnight at the end of the day).
    pub end: u16,
}

impl Hours {
    /// Parses `09:30-18:00`, `9:30–18:00`, `9-17`, `22:00 to 06:00`.
    pub fn parse(text: &str) -> Result<Hours, String> {
        let problem = || {
            format!(
                "'{text}' is not a span of working hours; write local 24-hour times like \"09:30-18:00\" (quoted)"
            )
        };
        let normalized = text.replace(['–', '—'], "-").replace(" to ", "-");
        let (start, end) = normalized.split_once('-').ok_or_else(problem)?;
        let start = clock_minutes(start).ok_or_else(problem)?;
        let end = clock_minutes(end).ok_or_else(problem)?;
        if start == DAY || start == end {
            return Err(problem());
        }
        Ok(Hours { start, end })
    }

    /// How long the span is, in minutes.
    pub fn length(self) -> u16 {
        if self.end > self.start {
            self.end - self.start
        } else {
            DAY - self.start + self.end
        }
    }

    /// The quarter hours of a UTC day this span covers, for a zone `offset` minutes east of
    /// UTC: bit `k` is the quarter hour starting at `15 × k` minutes after midnight UTC.
    pub fn utc_slots(self, offset: i32) -> u128 {
        let start = (i32::from(self.start) - offset).rem_euclid(i32::from(DAY));
        let length = i32::from(self.length());
        (0..SLOTS).fold(0, |mask, slot| {
            let from = (slot as i32 * i32::from(SLOT_MINUTES) - start).rem_euclid(i32::from(DAY));
            if from + i32::from(SLOT_MINUTES) <= length {
                mask | 1 << slot
            } else {
                mask
            }
        })
    }

    /// The span on the UTC clock, for a zone `offset` minutes east of UTC.
    pub fn in_utc(self, offset: i32) -> Hours {
        let shift = |minutes: u16| (i32::from(minutes) - offset).rem_euclid(i32::from(DAY)) as u16;
        Hours {
            start: shift(self.start),
            end: shift(self.end),
        }
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "{}–{}", clock(self.start), clock(self.end))
    }
}

/// `9`, `09`, `9:30`, `09:30`, `24:00` → minutes after midnight.
fn clock_minutes(text: &str) -> Option<u16> {
    let text = text.trim();
    let (hours, minutes) = text.split_once(':').unwrap_or((text, "0"));
    if hours.is_empty() || hours.len() > 2 || minutes.len() > 2 {
        return None;
    }
    let hours: u16 = hours.parse().ok()?;
    let minutes: u16 = minutes.parse().ok()?;
    let total = hours * 60 + minutes;
    (minutes < 60 && total <= DAY).then_some(total)
}

/// `09:30` for minutes after midnight (24:00 reads as 24:00).
pub fn clock(minutes: u16) -> String {
    if minutes == DAY {
        return "24:00".to_string();
    }
    format!("{:02}:{:02}", (minutes % DAY) / 60, minutes % 60)
}

/// The runs of set quarter hours in a UTC-day mask, as spans on the UTC clock. A run through
/// midnight is one span that ends before it starts; a full day is 00:00–24:00.
pub fn spans(mask: u128) -> Vec<Hours> {
    let set = |slot: usize| mask & (1 << (slot % SLOTS)) != 0;
    if (0..SLOTS).all(set) {
        return vec![Hours { start: 0, end: DAY }];
    }
    // Start scanning after a clear slot so a run through midnight stays whole.
    let Some(first_clear) = (0..SLOTS).find(|&slot| !set(slot)) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut run_start = None;
    for step in 1..=SLOTS {
        let slot = (first_clear + step) % SLOTS;
        match (set(slot), run_start) {
            (true, None) => run_start = Some(slot),
            (false, Some(start)) => {
                found.push(Hours {
                    start: start as u16 * SLOT_MINUTES,
                    end: slot as u16 * SLOT_MINUTES,
                });
                run_start = None;
            }
            _ => {}
        }
    }
    found.sort_by_key(|hours| hours.start);
    found
}

/// What a person's or team's front matter says about them.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Display name (`name`).
    pub name: Option<String>,
    /// A person's role.
    pub role: Option<String>,
    /// A person's time zone.
    pub timezone: Option<Zone>,
    /// A person's working hours on their local clock.
    pub hours: Option<Hours>,
    /// How to reach them, in order of preference.
    pub channels: Vec<String>,
    /// How fast they answer.
    pub response_time: Option<String>,
    /// Picture URL or path.
    pub avatar: Option<String>,
    /// A person's pronouns.
    pub pronouns: Option<String>,
    /// Where a person is.
    pub location: Option<String>,
    /// A team's members (person ids).
    pub members: Vec<String>,
    /// A team's lead (person ids).
    pub lead: Vec<String>,
    /// What to ask a team about.
    pub ask_about: Vec<String>,
    /// How to escalate to a team.
    pub escalation_policy: Option<String>,
}

impl Profile {
    /// The UTC offset (minutes) on `date` and the working hours as UTC quarter hours, when
    /// both the time zone and the hours are known.
    pub fn utc_slots(&self, date: Date) -> Option<u128> {
        let offset = self.timezone.as_ref()?.offset_minutes(date);
        Some(self.hours?.utc_slots(offset))
    }
}
