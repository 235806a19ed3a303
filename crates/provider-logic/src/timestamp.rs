//! Epoch seconds to RFC 3339 (UTC). Hand-written (days-to-civil, after Howard Hinnant) rather than
//! a date crate because it is all the component needs and it keeps the component small.

use alloc::{format, string::String};

/// `1795806392.284` → `2026-11-27T19:06:32Z` (sub-second precision is dropped, as Terraform does).
pub fn rfc3339(epoch_seconds: f64) -> Option<String> {
    if !epoch_seconds.is_finite() || epoch_seconds.abs() > 1e13 {
        return None;
    }
    // `f64::floor` is not in `core`: truncate, then step down for negative fractions.
    let truncated = epoch_seconds as i64;
    let secs = if (truncated as f64) > epoch_seconds { truncated - 1 } else { truncated };
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let (hour, minute, second) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let Ok(year @ 0..=9999) = u32::try_from(year) else {
        // No key was made before year 0 or after 9999, but a timestamp may say so.
        return Some(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"));
    };
    // Digit by digit: every read writes two of these, and `format!` would bring core's formatting
    // machinery onto a read's path.
    let mut text = String::with_capacity(20);
    let mut digits = |value: u32, width: u32, then: char| {
        for place in (0..width).rev() {
            text.push(char::from(b'0' + (value / 10_u32.pow(place) % 10) as u8));
        }
        text.push(then);
    };
    digits(year, 4, '-');
    digits(month, 2, '-');
    digits(day, 2, 'T');
    digits(hour as u32, 2, ':');
    digits(minute as u32, 2, ':');
    digits(second as u32, 2, 'Z');
    Some(text)
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(rfc3339(0.0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1479816991.349).unwrap(), "2016-11-22T12:16:31Z");
        assert_eq!(rfc3339(951782400.0).unwrap(), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(4107542399.0).unwrap(), "2100-02-28T23:59:59Z");
        assert_eq!(rfc3339(-1.0).unwrap(), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(253402300799.0).unwrap(), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(253402300800.0).unwrap(), "10000-01-01T00:00:00Z");
        assert_eq!(rfc3339(-62167219200.0).unwrap(), "0000-01-01T00:00:00Z");
        assert_eq!(rfc3339(-62167219201.0).unwrap(), "-001-12-31T23:59:59Z");
        assert_eq!(rfc3339(f64::NAN), None);
        assert_eq!(rfc3339(f64::INFINITY), None);
    }
}
