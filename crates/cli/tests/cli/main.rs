//! The `banyan` binary, run as a user runs it: separate processes, real files, real HTTP.

mod backup;
mod commands;
mod crash;
mod federation;
mod load;
mod moving;
mod schemathesis;
mod search;
mod serve;
mod site;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use banyan_testkit::TestDb;

/// Runs `banyan <args>` against a test database and waits for it.
pub fn banyan(db: &TestDb, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_banyan"));
    cmd.args(args).args(db.cli_args()).env_remove("BANYAN_DATABASE_URL").env_remove("BANYAN_DATA_DIR");
    cmd.output().expect("banyan runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The number after `label:` in an import summary.
pub fn summary_count(summary: &str, label: &str) -> u64 {
    summary
        .lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{label}:")).map(|n| n.trim().parse().unwrap()))
        .unwrap_or_else(|| panic!("no {label} in {summary}"))
}

/// A `banyan serve` process, stopped with SIGTERM when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    /// What it printed before it was ready.
    pub banner: String,
    lines: mpsc::Receiver<String>,
}

impl Server {
    pub fn start(extra: &[String]) -> Server {
        banyan_testkit::init();
        let mut child = Command::new(env!("CARGO_BIN_EXE_banyan"))
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .env_remove("BANYAN_DATABASE_URL")
            .env_remove("BANYAN_DATA_DIR")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("banyan serve starts");
        let (tx, lines) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut banner = String::new();
        loop {
            let Ok(line) = lines.recv_timeout(Duration::from_secs(60)) else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start: {banner}");
            };
            banner.push_str(&line);
            banner.push('\n');
            if let Some(rest) = line.split_once("is serving ").map(|(_, r)| r) {
                let base = rest.split_whitespace().next().unwrap().to_string();
                return Server { child, base, banner, lines };
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Kills the server with SIGKILL, as a crash or a power cut would.
    pub fn kill(&mut self) {
        let _ = Command::new("kill").arg("-KILL").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }

    /// Stops the server as an operator would, and returns what it printed on the way out.
    pub fn stop(mut self) -> (bool, String) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let status = self.child.wait().unwrap();
        // Everything it printed: the reader thread ends (and the channel closes) when the
        // process's stderr does.
        let mut rest: Vec<String> = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(10)) {
            rest.push(line);
        }
        (status.success(), rest.join("\n"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn get_json(url: &str) -> serde_json::Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}
