//! Calendar dates: the one date type of policies, subjects and decisions. A leaf module, so
//! the AST, the subject model and the readers can all use it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

/// A calendar date (proleptic Gregorian), as written `2020-06-30`. Only a day that exists
/// on the calendar can be made ([`Date::new`], [`str::parse`]), so every `Date` a policy
/// decides on is real; ordered by time.
///
/// ```
/// use zhunru::Date;
/// let d = Date::new(2020, 6, 30)?;
/// assert_eq!((d.year(), d.month(), d.day()), (2020, 6, 30));
/// assert_eq!(d.to_string(), "2020-06-30");
/// assert!(Date::new(2020, 2, 30).is_err());
/// assert!(d < "2020-07-01".parse()?);
/// # Ok::<(), zhunru::DateError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // INVARIANT: a day that exists on the calendar (checked by every constructor).
    year: i32,
    month: u32,
    day: u32,
}

/// A date that does not exist on the calendar, or text that is not a date `YYYY-MM-DD`.
///
/// ```
/// use zhunru::Date;
/// let error = Date::new(2020, 2, 30).unwrap_err();
/// assert_eq!(error.to_string(), "2020-02-30 is not a day of the calendar");
/// let error = "2020-6-1".parse::<Date>().unwrap_err();
/// assert_eq!(error.to_string(), "`2020-6-1` is not a date (YYYY-MM-DD)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError {
    message: String,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DateError {}

impl miette::Diagnostic for DateError {}

impl Date {
    /// A date, if it exists on the calendar (`2020-02-30` does not) and its year is written
    /// with four digits, 0000–9999, as every date is (`YYYY-MM-DD`).
    ///
    /// ```
    /// use zhunru::Date;
    /// assert!(Date::new(2020, 2, 29).is_ok());
    /// assert!(Date::new(2021, 2, 29).is_err());
    /// assert!(Date::new(2020, 13, 1).is_err());
    /// assert!(Date::new(10000, 1, 1).is_err());
    /// ```
    pub fn new(year: i32, month: u32, day: u32) -> Result<Date, DateError> {
        Date::checked(year, month, day).ok_or_else(|| DateError {
            message: if (0..=9999).contains(&year) {
                format!("{year:04}-{month:02}-{day:02} is not a day of the calendar")
            } else {
                format!("the year {year} is not 0000–9999: a date is written YYYY-MM-DD")
            },
        })
    }

    fn checked(year: i32, month: u32, day: u32) -> Option<Date> {
        ((0..=9999).contains(&year) && (1..=Date::month_length(year, month)).contains(&day))
            .then_some(Date { year, month, day })
    }

    /// The first day a `Date` can be, 0000-01-01, in days since 1970-01-01.
    const FIRST_DAY: i64 = -719_528;
    /// The last day a `Date` can be, 9999-12-31, in days since 1970-01-01.
    const LAST_DAY: i64 = 2_932_896;

    /// The year.
    ///
    /// ```
    /// assert_eq!(zhunru::Date::new(2020, 6, 30).unwrap().year(), 2020);
    /// ```
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    ///
    /// ```
    /// assert_eq!(zhunru::Date::new(2020, 6, 30).unwrap().month(), 6);
    /// ```
    pub fn month(self) -> u32 {
        self.month
    }

    /// The day of the month, 1–31.
    ///
    /// ```
    /// assert_eq!(zhunru::Date::new(2020, 6, 30).unwrap().day(), 30);
    /// ```
    pub fn day(self) -> u32 {
        self.day
    }

    /// The number of days in `month` of `year` (0 for a month that is not 1–12).
    fn month_length(year: i32, month: u32) -> u32 {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        }
    }

    /// Days since 1970-01-01 (negative before): the inverse of [`Date::from_days`].
    ///
    /// ```
    /// # use zhunru::Date;
    /// let d = Date::new(2020, 2, 29).unwrap();
    /// assert_eq!(Date::from_days(d.to_days()), d);
    /// ```
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// `n` days later (earlier when negative), held to the calendar's ends (0000-01-01,
    /// 9999-12-31).
    ///
    /// ```
    /// # use zhunru::Date;
    /// assert_eq!(Date::new(2020, 2, 28).unwrap().add_days(2), Date::new(2020, 3, 1).unwrap());
    /// assert_eq!(Date::new(2020, 2, 28).unwrap().add_days(i64::MIN), Date::new(0, 1, 1).unwrap());
    /// ```
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days().saturating_add(n))
    }

    /// `n` calendar months later (earlier when negative), the day clamped to the month's
    /// end: 2020-01-31 plus one month is 2020-02-29; held to the calendar's ends as
    /// [`Date::add_days`] is.
    ///
    /// ```
    /// # use zhunru::Date;
    /// let d = Date::new(2020, 1, 31).unwrap();
    /// assert_eq!(d.add_months(1), Date::new(2020, 2, 29).unwrap());
    /// assert_eq!(d.add_months(-2), Date::new(2019, 11, 30).unwrap());
    /// assert_eq!(d.add_months(i64::MAX), Date::new(9999, 12, 31).unwrap());
    /// ```
    pub fn add_months(self, n: i64) -> Date {
        let index = (i64::from(self.year) * 12 + i64::from(self.month) - 1).saturating_add(n);
        // Past either end of the calendar, the end (as `add_days`).
        if index < 0 {
            return Date::from_days(Date::FIRST_DAY);
        }
        if index > 9999 * 12 + 11 {
            return Date::from_days(Date::LAST_DAY);
        }
        let year = index.div_euclid(12) as i32;
        let month = (index.rem_euclid(12) + 1) as u32;
        let day = self.day.min(Date::month_length(year, month));
        Date { year, month, day }
    }

    /// Parse `YYYY-MM-DD`; `None` for any other shape or a day that does not exist (see
    /// also `str::parse`, which says why).
    ///
    /// ```
    /// # use zhunru::Date;
    /// assert_eq!(Date::parse("2020-02-29"), Date::new(2020, 2, 29).ok());
    /// assert_eq!(Date::parse("2020-02-30"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Date> {
        let b: &[u8; 10] = text.as_bytes().try_into().ok()?;
        let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *b else {
            return None;
        };
        // Digits read by hand rather than by `str::parse` for each part: every date of
        // every line of a JSON Lines file goes through here (3.4 M of 202 M instructions
        // on the 10k peer file).
        let [y0, y1, y2, y3, m0, m1, d0, d1] =
            [y0, y1, y2, y3, m0, m1, d0, d1].map(|c| u32::from(c.wrapping_sub(b'0')));
        if [y0, y1, y2, y3, m0, m1, d0, d1].iter().any(|&d| d > 9) {
            return None;
        }
        let year = ((y0 * 10 + y1) * 10 + y2) * 10 + y3;
        Date::checked(year as i32, m0 * 10 + m1, d0 * 10 + d1)
    }

    /// Today's date in China's time zone (UTC+8, no daylight saving), from the system
    /// clock: the policies are China's, and from 00:00 to 08:00 Beijing time the UTC date
    /// is still yesterday. Only front ends call this; the engine itself reads no clock (it
    /// is given the date to decide as of).
    ///
    /// ```
    /// assert!(zhunru::Date::today().year() >= 2024);
    /// ```
    pub fn today() -> Date {
        const CHINA_OFFSET_SECS: u64 = 8 * 3600;
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days(((secs + CHINA_OFFSET_SECS) / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's civil_from_days), held to
    /// the calendar's ends, 0000-01-01 and 9999-12-31.
    ///
    /// ```
    /// # use zhunru::Date;
    /// assert_eq!(Date::from_days(0), Date::new(1970, 1, 1).unwrap());
    /// assert_eq!(Date::from_days(i64::MAX), Date::new(9999, 12, 31).unwrap());
    /// ```
    pub fn from_days(days: i64) -> Date {
        // Saturating: a date past 9999-12-31 could not be written YYYY-MM-DD, nor read back.
        let z = days.clamp(Date::FIRST_DAY, Date::LAST_DAY) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

/// `"2020-06-30".parse::<Date>()`: the calendar date, or why not.
///
/// ```
/// use zhunru::Date;
/// assert_eq!("2020-02-29".parse::<Date>(), Ok(Date::new(2020, 2, 29).unwrap()));
/// assert!("2020-02-30".parse::<Date>().is_err());
/// ```
impl std::str::FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        Date::parse(text).ok_or_else(|| DateError {
            message: format!("`{text}` is not a date (YYYY-MM-DD)"),
        })
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text)
            .ok_or_else(|| de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD)")))
    }
}
