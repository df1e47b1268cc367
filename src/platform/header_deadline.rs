//! A deadline for each request head. poem sets no timer on hyper, so
//! hyper's own `header_read_timeout` never fires: without this, a client
//! trickling header bytes (slowloris) holds a connection and its task forever.

use std::{
    future::Future,
    io::IoSlice,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use poem::{
    http::uri::Scheme,
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// How long a client may take to send a request's head (request line and headers), counted
/// from the connection's opening for its first request and from the first byte for later ones.
/// poem sets no timer on hyper, so hyper's own `header_read_timeout` never fires: without this,
/// a client trickling header bytes (slowloris) holds a connection and its task forever.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Gives every connection the acceptor accepts a deadline for each request head.
pub struct HeadDeadlineAcceptor<A>(pub A);

impl<A: Acceptor> Acceptor for HeadDeadlineAcceptor<A> {
    type Io = HeadDeadline<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> std::io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        let (io, local_addr, remote_addr, scheme) = self.0.accept().await?;
        Ok((
            HeadDeadline::new(io, HEADER_READ_TIMEOUT),
            local_addr,
            remote_addr,
            scheme,
        ))
    }
}

/// Where a connection is in its HTTP/1 exchange, as far as the head deadline cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Reading a request head: the deadline runs.
    Head,
    /// The head has arrived; the body and the handler take as long as they take.
    Body,
    /// A response was written; waiting (without a deadline) for the next request's first byte.
    Idle,
    /// HTTP/2 with prior knowledge: frames, not heads; hyper's HTTP/2 handles it.
    Off,
}

/// A connection whose reads fail with `TimedOut` once a request head takes longer than
/// `timeout`. The end of a head is the first empty line after some content (CRLF or bare LF,
/// as hyper accepts both); a response written starts the wait for the next head.
pub struct HeadDeadline<T> {
    inner: T,
    timeout: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
    phase: Phase,
    /// Line feeds in a row (carriage returns aside) since the head's last other byte.
    newlines: u8,
    /// Whether the head has had a byte other than CR or LF (leading empty lines do not count).
    content: bool,
    /// The connection's first bytes, to recognise the HTTP/2 preface.
    prefix: Vec<u8>,
}

/// How an HTTP/2 prior-knowledge connection begins.
const HTTP2_PREFACE_START: &[u8] = b"PRI ";

impl<T> HeadDeadline<T> {
    fn new(inner: T, timeout: Duration) -> Self {
        Self {
            inner,
            timeout,
            deadline: Box::pin(tokio::time::sleep(timeout)),
            phase: Phase::Head,
            newlines: 0,
            content: false,
            prefix: Vec::with_capacity(HTTP2_PREFACE_START.len()),
        }
    }

    /// Follows the bytes just read.
    fn observe(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            if self.prefix.len() < HTTP2_PREFACE_START.len() {
                self.prefix.push(byte);
                if self.prefix == HTTP2_PREFACE_START {
                    self.phase = Phase::Off;
                }
            }
            match self.phase {
                Phase::Off | Phase::Body => return,
                Phase::Idle => {
                    self.phase = Phase::Head;
                    self.newlines = 0;
                    self.content = false;
                    self.deadline
                        .as_mut()
                        .reset(tokio::time::Instant::now() + self.timeout);
                }
                Phase::Head => {}
            }
            match byte {
                b'\n' if self.content => {
                    self.newlines += 1;
                    if self.newlines == 2 {
                        self.phase = Phase::Body;
                    }
                }
                b'\r' | b'\n' => {}
                _ => {
                    self.content = true;
                    self.newlines = 0;
                }
            }
        }
    }

    /// Notes that a response (or part of one), starting with `start`, was written. After a
    /// `101 Switching Protocols` the connection no longer carries HTTP/1 heads; another
    /// interim response (`100 Continue`) means the body is still to come.
    fn wrote(&mut self, start: &[u8], written: usize) {
        if written == 0 || self.phase != Phase::Body {
            return;
        }
        if start.starts_with(b"HTTP/1.1 101 ") {
            self.phase = Phase::Off;
        } else if !start.starts_with(b"HTTP/1.1 1") {
            self.phase = Phase::Idle;
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for HeadDeadline<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.phase == Phase::Head && this.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request head did not arrive in time",
            )));
        }
        let before = buf.filled().len();
        let result = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            this.observe(&buf.filled()[before..]);
        }
        result
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for HeadDeadline<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(written)) = result {
            this.wrote(buf, written);
        }
        result
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if let Poll::Ready(Ok(written)) = result {
            let start = bufs
                .iter()
                .find(|buf| !buf.is_empty())
                .map_or(&[][..], |buf| &buf[..]);
            this.wrote(start, written);
        }
        result
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
