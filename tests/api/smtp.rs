//! A tiny SMTP server on loopback for the email tests: speaks
//! EHLO/MAIL/RCPT/DATA/RSET/NOOP/QUIT, records each envelope and raw message,
//! and can be stopped and started again on the same port.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

pub struct Sink {
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Sink {
    pub async fn start() -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let sink = Sink {
            port,
            mails: Arc::default(),
            task: Mutex::new(None),
        };
        sink.serve(listener);
        sink
    }

    fn serve(&self, listener: TcpListener) {
        let mails = self.mails.clone();
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts every session.
            let mut sessions = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                sessions.spawn(session(stream, mails.clone()));
                while sessions.try_join_next().is_some() {}
            }
        });
        *self.task.lock().unwrap() = Some(task);
    }

    /// Close the port and every open session.
    pub async fn stop(&self) {
        let task = self.task.lock().unwrap().take();
        if let Some(task) = task {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listen again on the same port.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
        self.serve(listener);
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }

    /// Wait (at most 10 s) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} messages, got {}: {mails:#?}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Messages sent to `addr`, waiting (at most 10 s) for at least `n`.
    pub async fn wait_for_to(&self, addr: &str, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let mails: Vec<Mail> = self
                .mails()
                .into_iter()
                .filter(|m| m.to.iter().any(|t| t == addr))
                .collect();
            if mails.len() >= n {
                return mails;
            }
            assert!(
                Instant::now() < deadline,
                "expected {n} messages to {addr}, got {}",
                mails.len()
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().unwrap().take() {
            task.abort();
        }
    }
}

fn angle(arg: &str) -> String {
    let arg = arg.split_once(':').map_or(arg, |(_, a)| a).trim();
    let end = arg.find('>').map_or(arg.len(), |i| i + 1);
    arg[..end]
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string()
}

async fn session(stream: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM") {
            from = angle(&line);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO") {
            to.push(angle(&line));
            b"250 OK\r\n"
        } else if upper.starts_with("RSET") {
            from.clear();
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                let mut l = String::new();
                match reader.read_line(&mut l).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if l == ".\r\n" || l == ".\n" {
                    break;
                }
                let l = l.strip_prefix('.').unwrap_or(&l);
                data.push_str(l);
            }
            mails.lock().unwrap().push(Mail {
                from: from.clone(),
                to: std::mem::take(&mut to),
                data,
            });
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"500 unknown command\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// Decode RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`).
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut prev_encoded = false;
    for token in value.split_whitespace() {
        let parts: Vec<&str> = token.split('?').collect();
        let encoded = token.starts_with("=?") && token.ends_with("?=") && parts.len() == 5;
        let joined = encoded && prev_encoded;
        if !out.is_empty() && !joined {
            out.push(' ');
        }
        if encoded {
            let bytes = match parts[2].to_ascii_lowercase().as_str() {
                "b" => STANDARD.decode(parts[3]).unwrap(),
                _ => parts[3].replace('_', " ").into_bytes(),
            };
            out.push_str(&String::from_utf8(bytes).unwrap());
        } else {
            out.push_str(token);
        }
        prev_encoded = encoded;
    }
    out
}

/// The unfolded header lines of a header block.
fn header_lines(block: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in block.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

impl Mail {
    fn head_and_body(&self) -> (&str, &str) {
        self.data.split_once("\r\n\r\n").unwrap()
    }

    /// Every top-level header (name, raw unfolded value), in order.
    pub fn headers(&self) -> Vec<(String, String)> {
        header_lines(self.head_and_body().0)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers()
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| decode_words(&v))
    }

    pub fn subject(&self) -> String {
        self.header("Subject").unwrap_or_default()
    }

    /// The decoded body of the part with this content type.
    pub fn part(&self, content_type: &str) -> String {
        let (head, body) = self.head_and_body();
        let ct = header_lines(head)
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
            .unwrap()
            .1;
        let boundary = ct
            .split("boundary=")
            .nth(1)
            .unwrap()
            .trim_matches('"')
            .to_string();
        for part in body.split(&format!("--{boundary}")) {
            let Some((ph, pb)) = part.trim_start_matches("\r\n").split_once("\r\n\r\n") else {
                continue;
            };
            let lines = header_lines(ph);
            let is = lines.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("Content-Type") && v.starts_with(content_type)
            });
            if !is {
                continue;
            }
            let b64 = lines.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("Content-Transfer-Encoding")
                    && v.eq_ignore_ascii_case("base64")
            });
            if b64 {
                let clean: String = pb.chars().filter(|c| !c.is_whitespace()).collect();
                return String::from_utf8(STANDARD.decode(clean).unwrap()).unwrap();
            }
            return pb.to_string();
        }
        panic!("no {content_type} part in {}", self.data)
    }

    pub fn text(&self) -> String {
        self.part("text/plain")
    }

    pub fn html(&self) -> String {
        self.part("text/html")
    }

    /// Paths (`/email/...`) of the links in the text part.
    pub fn links(&self, kind: &str) -> Vec<String> {
        let text = self.text();
        let marker = format!("/email/{kind}/");
        text.split_whitespace()
            .filter_map(|w| {
                w.find(&marker)
                    .map(|i| w[i..].trim_end_matches('>').to_string())
            })
            .collect()
    }
}
