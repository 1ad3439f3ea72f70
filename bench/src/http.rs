//! A minimal HTTP/1.1 client for the load: one keep-alive connection per client thread, blocking,
//! so that the client costs as little CPU as possible on a machine whose two cores it shares with
//! the server (wrk's approach: no TLS, no pool, no JSON parsing beyond the `total` number).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use anyhow::{Context, bail};

pub struct HttpClient {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
    body: Vec<u8>,
}

impl HttpClient {
    pub fn connect(port: u16) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(("127.0.0.1", port)).context("cannot connect")?;
        stream.set_nodelay(true)?;
        Ok(Self {
            reader: BufReader::with_capacity(64 * 1024, stream.try_clone()?),
            writer: stream,
            host: format!("127.0.0.1:{port}"),
            body: Vec::with_capacity(64 * 1024),
        })
    }

    /// GETs `path`; returns the status and leaves the body in `self.body()`.
    pub fn get(&mut self, path: &str) -> anyhow::Result<u16> {
        write!(
            self.writer,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\r\n",
            self.host
        )?;
        self.writer.flush()?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                bail!("connection closed in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding")
                    && value.eq_ignore_ascii_case("chunked")
                {
                    chunked = true;
                }
            }
        }
        self.body.clear();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)?;
                let start = self.body.len();
                self.body.resize(start + size, 0);
                self.reader.read_exact(&mut self.body[start..])?;
                line.clear();
                self.reader.read_line(&mut line)?;
                if size == 0 {
                    break;
                }
            }
        } else if let Some(length) = length {
            self.body.resize(length, 0);
            self.reader.read_exact(&mut self.body)?;
        } else {
            bail!("a response without a length");
        }
        Ok(status)
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The number after the first `"key":` of the body.
    pub fn number(&self, key: &str) -> Option<u64> {
        let needle = format!("\"{key}\":");
        // memmem, not a comparison per byte offset: that cost the client 4% of the machine's
        // CPU on a page of hits (perf, thirteenth round), taken from the server it loads.
        let at = memchr::memmem::find(&self.body, needle.as_bytes())?;
        let digits: String = self.body[at + needle.len()..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|b| char::from(*b))
            .collect();
        digits.parse().ok()
    }
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 3);
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
