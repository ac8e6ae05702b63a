//! Progress of long work: a bar on a terminal, plain lines otherwise (logs, CI).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use banyan_import::Progress;

/// A bar when standard error is a terminal, lines otherwise.
pub fn for_terminal() -> Box<dyn Progress> {
    if std::io::stderr().is_terminal() { Box::new(Bar::default()) } else { Box::new(Lines::default()) }
}

#[derive(Default)]
struct Bar(Mutex<Option<indicatif::ProgressBar>>);

impl Progress for Bar {
    fn start(&self, what: &str, total: u64) {
        let bar = if total > 0 { indicatif::ProgressBar::new(total) } else { indicatif::ProgressBar::new_spinner() };
        let template = if total > 0 { "{msg} [{bar:40}] {pos}/{len} ({eta} left)" } else { "{msg} {spinner} {pos}" };
        if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        *self.0.lock().expect("progress lock") = Some(bar);
    }
    fn advance(&self, n: u64) {
        if let Some(bar) = self.0.lock().expect("progress lock").as_ref() {
            bar.inc(n);
        }
    }
    fn finish(&self) {
        if let Some(bar) = self.0.lock().expect("progress lock").take() {
            bar.finish_and_clear();
        }
    }
}

/// A line every few seconds and at the end.
#[derive(Default)]
struct Lines(Mutex<LineState>);

#[derive(Default)]
struct LineState {
    what: String,
    total: u64,
    done: u64,
    last: Option<Instant>,
}

const EVERY: Duration = Duration::from_secs(2);

impl Progress for Lines {
    fn start(&self, what: &str, total: u64) {
        let mut s = self.0.lock().expect("progress lock");
        *s = LineState { what: what.to_string(), total, done: 0, last: Some(Instant::now()) };
        eprintln!("{what}: starting{}", if total > 0 { format!(" ({total})") } else { String::new() });
    }
    fn advance(&self, n: u64) {
        let mut s = self.0.lock().expect("progress lock");
        s.done += n;
        if s.last.is_none_or(|t| t.elapsed() >= EVERY) {
            s.last = Some(Instant::now());
            if s.total > 0 {
                eprintln!("{}: {}/{}", s.what, s.done, s.total);
            } else {
                eprintln!("{}: {}", s.what, s.done);
            }
        }
    }
    fn finish(&self) {
        let s = self.0.lock().expect("progress lock");
        eprintln!("{}: done ({})", s.what, s.done);
    }
}
