//! An SMTP sink on loopback for the reminder mail tests, and the decoding
//! a mail reader does (RFC 2047 encoded words, base64 bodies), written
//! from the RFCs here rather than taken from lettre, the crate that
//! encodes them: a mail crate's own decoder would agree with its encoder
//! whatever they both got wrong. (`.ci/reminder-mail.sh` checks the same
//! mail with Python's `email` package behind aiosmtpd, from PyPI.)

use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Debug, Clone)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (CRLF lines, dot-stuffing undone).
    pub data: String,
}

pub struct SmtpSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let m = mails.clone();
        tokio::spawn(async move {
            while let Ok((s, _)) = listener.accept().await {
                let m = m.clone();
                tokio::spawn(async move {
                    let _ = session(s, m).await;
                });
            }
        });
        SmtpSink { port, mails }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

/// The server side of RFC 5321, as much as a client that needs no
/// extension uses.
async fn session(s: tokio::net::TcpStream, out: Arc<Mutex<Vec<Mail>>>) -> std::io::Result<()> {
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO")
            || upper.starts_with("RSET")
            || upper.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&line);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&line));
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            w.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            out.lock().unwrap().push(Mail {
                from: from.clone(),
                to: to.clone(),
                data,
            });
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        w.write_all(reply).await?;
    }
}

fn address(line: &str) -> String {
    let start = line.find('<').map_or(0, |i| i + 1);
    let end = line[start..].find('>').map_or(line.len(), |i| start + i);
    line[start..end].to_string()
}

impl Mail {
    /// A header's value, unfolded (RFC 5322 §2.2.3), encoded words as sent.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next().unwrap_or_default();
        let mut value: Option<String> = None;
        for l in head.split("\r\n") {
            match &mut value {
                Some(v) if l.starts_with([' ', '\t']) => v.push_str(l),
                Some(_) => break,
                None => {
                    if let Some((k, v)) = l.split_once(':')
                        && k.eq_ignore_ascii_case(name)
                    {
                        value = Some(v.trim_start().to_string());
                    }
                }
            }
        }
        value
    }

    /// The Subject as a reader shows it.
    pub fn subject(&self) -> String {
        decode_words(&self.header("Subject").unwrap_or_default())
    }

    /// The body as a reader shows it (base64 decoded when so encoded).
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let cte = self
            .header("Content-Transfer-Encoding")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if cte == "base64" {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8(B64.decode(joined).expect("base64 body")).expect("UTF-8 body")
        } else {
            body.to_string()
        }
    }
}

/// RFC 2047: `=?charset?B?…?=` words (UTF-8 only), whitespace between
/// two encoded words dropped; other text kept.
pub fn decode_words(s: &str) -> String {
    let mut out = Vec::new();
    let mut rest = s;
    let mut last_encoded = false;
    while !rest.is_empty() {
        match rest.find("=?") {
            Some(i) => {
                let (before, from) = rest.split_at(i);
                if !(last_encoded && before.trim().is_empty()) {
                    out.extend_from_slice(before.as_bytes());
                }
                let word = &from[2..];
                let mut parts = word.splitn(3, '?');
                let (cs, enc, tail) = (
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                );
                assert!(cs.eq_ignore_ascii_case("utf-8"), "charset {cs}");
                assert!(enc.eq_ignore_ascii_case("b"), "encoding {enc}");
                let end = tail.find("?=").expect("an encoded word ends");
                out.extend(B64.decode(&tail[..end]).expect("base64 word"));
                rest = &tail[end + 2..];
                last_encoded = true;
            }
            None => {
                out.extend_from_slice(rest.as_bytes());
                break;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8 words")
}

#[test]
fn encoded_words_decode_as_rfc_2047_says() {
    assert_eq!(
        decode_words("=?utf-8?b?Tmjhuq9j?= =?utf-8?b?IGjhuqFu?="),
        "Nhắc hạn"
    );
    assert_eq!(decode_words("plain"), "plain");
}
