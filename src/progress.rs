//! Who reads stderr, and progress output for them; the only place that
//! knows indicatif. A person at a terminal gets a spinner line per task (and,
//! elsewhere, the `tool:` prefix and hints); a CI log (`CI` set) gets plain
//! one-line steps; a program (a script, asdf's own tests) gets nothing but
//! asdf's own messages.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// Who reads stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Terminal,
    CiLog,
    Program,
}

impl Audience {
    pub fn of_stderr() -> Audience {
        if std::env::var_os("CI").is_some() {
            Audience::CiLog
        } else if std::io::stderr().is_terminal() {
            Audience::Terminal
        } else {
            Audience::Program
        }
    }

    /// Whether `tool`'s own extras (prefixes, hints) may be shown.
    pub fn is_person(self) -> bool {
        self == Audience::Terminal
    }
}

/// A line about what `tool` did, for people (a terminal or a CI log);
/// programs, like asdf's users' scripts, see nothing on success.
pub fn note(msg: &str) {
    if Audience::of_stderr() != Audience::Program {
        eprintln!("{msg}");
    }
}

pub struct Progress {
    multi: Option<MultiProgress>,
    /// Plain step lines (a CI log) when there are no bars.
    plain: bool,
    /// Whether a task line was drawn (the cursor then ends on it).
    drawn: AtomicBool,
}

impl Progress {
    /// Spinners when `allow_bars` and a person reads stderr; plain lines
    /// for a CI log; nothing for a program.
    pub fn new(allow_bars: bool) -> Self {
        let audience = Audience::of_stderr();
        let bars = allow_bars && audience == Audience::Terminal;
        Progress {
            multi: bars.then(MultiProgress::new),
            plain: audience == Audience::CiLog,
            drawn: AtomicBool::new(false),
        }
    }

    pub fn task(&self, label: String) -> Task {
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new_spinner());
            bar.set_style(spinner_style());
            bar.set_prefix(label.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            self.drawn.store(true, Ordering::Relaxed);
            bar
        });
        Task {
            bar,
            plain: self.plain,
            label,
            counting_bytes: AtomicBool::new(false),
            suspended: AtomicBool::new(false),
        }
    }
}

impl Drop for Progress {
    /// Finished task lines stay on screen; what follows starts below them.
    fn drop(&mut self) {
        if self.drawn.load(Ordering::Relaxed) {
            eprintln!();
        }
    }
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg} {elapsed:.dim}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

pub struct Task {
    bar: Option<ProgressBar>,
    plain: bool,
    label: String,
    /// The line shows a byte counter (which has no room for a message).
    counting_bytes: AtomicBool,
    /// Inside `suspend` (a hook run from a plugin script's suspension must
    /// not suspend again: the bar's lock is already held).
    suspended: AtomicBool,
}

impl Task {
    pub fn set_label(&mut self, label: String) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(label.clone());
        }
        self.label = label;
    }

    /// The task's line, set back to a spinner after a byte counter.
    fn spinner(&self) -> Option<&ProgressBar> {
        let bar = self.bar.as_ref()?;
        if self.counting_bytes.swap(false, Ordering::Relaxed) {
            bar.set_style(spinner_style());
        }
        Some(bar)
    }

    /// Runs `f` with the task's line hidden, for a child process that writes
    /// to the terminal itself (a plugin's script, a hook).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) if !self.suspended.swap(true, Ordering::SeqCst) => {
                let result = bar.suspend(f);
                self.suspended.store(false, Ordering::SeqCst);
                result
            }
            _ => f(),
        }
    }

    /// A warning line, printed above the task's line on a terminal.
    pub fn warn(&self, msg: &str) {
        self.suspend(|| eprintln!("warning: {msg}"));
    }

    /// A line worth reading whatever happens next (a cached build passed
    /// over): above the task's line on a terminal, a line in a CI log,
    /// nothing for a program.
    pub fn note(&self, msg: &str) {
        self.suspend(|| note(msg));
    }

    /// A plain line for a CI log (nothing for a program).
    fn line(&self, msg: &str) {
        if self.plain {
            eprintln!("{}: {msg}", self.label);
        }
    }

    /// A step of the work (a line in CI logs, the spinner's text on a terminal).
    pub fn step(&self, msg: &str) {
        match self.spinner() {
            Some(bar) => bar.set_message(msg.to_string()),
            None => self.line(msg),
        }
    }

    /// Switches to a byte counter for a download of `total` bytes.
    pub fn start_bytes(&self, what: &str, total: u64) {
        match &self.bar {
            Some(bar) => {
                self.counting_bytes.store(true, Ordering::Relaxed);
                bar.set_length(total);
                bar.set_position(0);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{prefix:.bold} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar.set_message(what.to_string());
            }
            None => self.line(&format!("downloading {what} ({})", human_bytes(total))),
        }
    }

    pub fn add_bytes(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(n);
        }
    }

    /// The task's last line.
    pub fn finish(&self, msg: &str) {
        match self.spinner() {
            Some(bar) => bar.finish_with_message(msg.to_string()),
            None => self.line(msg),
        }
    }
}

/// `61.2 MB`: sizes for messages.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
