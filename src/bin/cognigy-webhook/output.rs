//! Writing to standard output without panicking when the reader has gone
//! (`cognigy-webhook diagnose … | head`).

use std::fmt::Arguments;
use std::io::Write;

use crate::Failure;

/// Writes one line to standard output; a closed pipe ends the program
/// quietly (exit 1) instead of panicking.
pub(crate) fn line(text: Arguments<'_>) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}").map_err(|_| Failure::Refused)
}

/// `println!` through [`line`], returning early on a closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))?
    };
}
pub(crate) use say;
