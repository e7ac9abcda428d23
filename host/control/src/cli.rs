//! `witswitch cli`: an fs_cli-like event socket client over tokio TCP.
//!
//! `-x "<command>"` runs one API command and prints its output (exit 0); otherwise an
//! interactive prompt reads lines (API commands, `/event`, `/log`, `/exit`, ...) with an
//! in-memory history while events and log lines print as they arrive. Exit codes:
//! 0 done, 1 cannot connect, 2 authentication refused, 3 connection lost or broken.

use std::time::Duration;

use thiserror::Error;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::client::{
    CliAction, HELP, Rendered, auth_command, command_bytes, render, userauth_command, with_newline,
};
use crate::wire::{DecodeError, Decoder, Frame, Limits};

/// How many lines the history keeps.
const HISTORY_LIMIT: usize = 1000;

/// Connection settings and mode.
#[derive(Debug, Clone)]
pub struct CliOptions {
    /// Server host (`-H`).
    pub host: String,
    /// Server port (`-P`).
    pub port: u16,
    /// Password (`-p`).
    pub password: String,
    /// `user@domain` for `userauth` instead of `auth` (`-u`).
    pub user: Option<String>,
    /// Time allowed to connect and to authenticate.
    pub timeout: Duration,
}

impl Default for CliOptions {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8021,
            password: "ClueCon".into(),
            user: None,
            timeout: Duration::from_secs(5),
        }
    }
}

/// Why the client stopped.
#[derive(Debug, Error)]
pub enum CliError {
    /// TCP connect failed or timed out.
    #[error("cannot connect to {address}: {reason}")]
    Connect {
        /// `host:port`.
        address: String,
        /// What went wrong.
        reason: String,
    },
    /// The server refused the password.
    #[error("authentication refused")]
    AuthRefused,
    /// The server closed the connection.
    #[error("connection closed by the server")]
    Closed,
    /// The server did not answer in time.
    #[error("no answer from the server within {0:?}")]
    Timeout(Duration),
    /// Reading or writing failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// The server's bytes are not ESL frames.
    #[error("protocol error: {0}")]
    Protocol(#[from] DecodeError),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Connect { .. } => 1,
            Self::AuthRefused => 2,
            _ => 3,
        }
    }
}

/// An authenticated connection to an event socket.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    decoder: Decoder,
    timeout: Duration,
}

impl Connection {
    /// Connects and authenticates.
    pub async fn open(options: &CliOptions) -> Result<Self, CliError> {
        let address = format!("{}:{}", options.host, options.port);
        let connect = TcpStream::connect(address.clone());
        let stream = match tokio::time::timeout(options.timeout, connect).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                return Err(CliError::Connect {
                    address,
                    reason: error.to_string(),
                });
            }
            Err(_) => {
                return Err(CliError::Connect {
                    address,
                    reason: "timed out".into(),
                });
            }
        };
        let limits = Limits {
            max_head: 1 << 20,
            max_body: 64 << 20,
        };
        let mut connection = Self {
            stream,
            decoder: Decoder::new(limits),
            timeout: options.timeout,
        };
        connection.authenticate(options).await?;
        Ok(connection)
    }

    async fn authenticate(&mut self, options: &CliOptions) -> Result<(), CliError> {
        let greeting = self.frame_within().await?;
        if greeting.content_type() != Some("auth/request") {
            return Err(CliError::AuthRefused);
        }
        let command = match &options.user {
            Some(user) => userauth_command(user, &options.password),
            None => auth_command(&options.password),
        };
        self.send(&command).await?;
        loop {
            let frame = self.frame_within().await?;
            if frame.content_type() == Some("command/reply") {
                let accepted = frame
                    .header("Reply-Text")
                    .is_some_and(|t| t.starts_with("+OK"));
                return if accepted {
                    Ok(())
                } else {
                    Err(CliError::AuthRefused)
                };
            }
            if frame.content_type() == Some("text/disconnect-notice") {
                return Err(CliError::AuthRefused);
            }
        }
    }

    async fn frame_within(&mut self) -> Result<Frame, CliError> {
        match tokio::time::timeout(self.timeout, self.next_frame()).await {
            Ok(result) => result,
            Err(_) => Err(CliError::Timeout(self.timeout)),
        }
    }

    /// The next frame from the server. Cancel-safe: bytes read are kept in the decoder.
    pub async fn next_frame(&mut self) -> Result<Frame, CliError> {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            if let Some(packet) = self.decoder.next_packet()? {
                return Ok(Frame::from_packet(packet));
            }
            let read = self.stream.read(&mut buffer).await?;
            if read == 0 {
                return Err(CliError::Closed);
            }
            self.decoder.push(&buffer[..read]);
        }
    }

    /// Sends raw command bytes.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), CliError> {
        self.stream.write_all(bytes).await?;
        Ok(())
    }

    /// Runs one API command and returns its output.
    pub async fn api(&mut self, command: &str) -> Result<String, CliError> {
        self.send(&command_bytes(&format!("api {command}"))).await?;
        loop {
            let frame = self.next_frame().await?;
            match frame.content_type() {
                Some("api/response") => return Ok(frame.body_text()),
                Some("text/disconnect-notice") => return Err(CliError::Closed),
                _ => continue,
            }
        }
    }

    /// Says `exit` and waits (briefly) for the goodbye.
    pub async fn close(mut self) -> Result<(), CliError> {
        self.send(&command_bytes("exit")).await?;
        loop {
            match tokio::time::timeout(self.timeout, self.next_frame()).await {
                Ok(Ok(frame)) if frame.content_type() == Some("text/disconnect-notice") => {
                    return Ok(());
                }
                Ok(Ok(_)) => continue,
                Ok(Err(CliError::Closed)) | Err(_) => return Ok(()),
                Ok(Err(error)) => return Err(error),
            }
        }
    }
}

/// `-x`: connect, run one API command, return its output.
pub async fn run_once(options: &CliOptions, command: &str) -> Result<String, CliError> {
    let mut connection = Connection::open(options).await?;
    let output = connection.api(command).await?;
    connection.close().await?;
    Ok(output)
}

async fn write<W: AsyncWrite + Unpin>(out: &mut W, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes()).await?;
    out.flush().await?;
    Ok(())
}

/// The interactive prompt, reading lines from `input` and printing to `out`.
pub async fn run_interactive<R, W>(
    options: &CliOptions,
    input: R,
    out: &mut W,
) -> Result<(), CliError>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut connection = Connection::open(options).await?;
    let prompt = format!("witswitch@{}> ", options.host);
    write(
        out,
        &format!(
            "Connected to {}:{}. Type /help for help, /exit to leave.\n{prompt}",
            options.host, options.port
        ),
    )
    .await?;
    let mut lines = input.lines();
    let mut history: Vec<String> = Vec::new();
    loop {
        tokio::select! {
            line = lines.next_line() => {
                let Some(line) = line? else {
                    return connection.close().await;
                };
                match run_line(&mut connection, out, &mut history, &line).await? {
                    LineOutcome::Continue => write(out, &prompt).await?,
                    LineOutcome::Exit => return connection.close().await,
                }
            }
            frame = connection.next_frame() => {
                match render(&frame?) {
                    Rendered::Text(text) => write(out, &text).await?,
                    Rendered::Disconnected(text) => {
                        write(out, &text).await?;
                        return Ok(());
                    }
                    Rendered::Silent => {}
                }
            }
        }
    }
}

enum LineOutcome {
    Continue,
    Exit,
}

async fn run_line<W: AsyncWrite + Unpin>(
    connection: &mut Connection,
    out: &mut W,
    history: &mut Vec<String>,
    line: &str,
) -> Result<LineOutcome, CliError> {
    let mut action = CliAction::parse(line, history.len());
    let mut line = line.trim().to_string();
    if let CliAction::Recall(number) = action {
        let Some(recalled) = number.checked_sub(1).and_then(|i| history.get(i)).cloned() else {
            write(out, &format!("no history entry {number}\n")).await?;
            return Ok(LineOutcome::Continue);
        };
        write(out, &with_newline(recalled.clone())).await?;
        action = CliAction::parse(&recalled, history.len());
        line = recalled;
    }
    if !matches!(
        action,
        CliAction::Nothing | CliAction::History | CliAction::Recall(_)
    ) {
        if history.len() == HISTORY_LIMIT {
            history.remove(0);
        }
        history.push(line);
    }
    match &action {
        CliAction::Exit => return Ok(LineOutcome::Exit),
        CliAction::Help => write(out, HELP).await?,
        CliAction::History => {
            let listing: String = history
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{:4}  {l}\n", i + 1))
                .collect();
            write(out, &listing).await?;
        }
        CliAction::Unknown(word) => {
            write(out, &format!("unknown command /{word}; /help lists them\n")).await?
        }
        CliAction::Api(command) => {
            // Events and log lines that arrive before the response still print.
            connection
                .send(&command_bytes(&format!("api {command}")))
                .await?;
            loop {
                let frame = connection.next_frame().await?;
                let is_response = frame.content_type() == Some("api/response");
                match render(&frame) {
                    Rendered::Text(text) => write(out, &text).await?,
                    Rendered::Disconnected(text) => {
                        write(out, &text).await?;
                        return Err(CliError::Closed);
                    }
                    Rendered::Silent => {}
                }
                if is_response {
                    break;
                }
            }
        }
        _ => {
            if let Some(bytes) = action.command() {
                connection.send(&bytes).await?;
            }
        }
    }
    Ok(LineOutcome::Continue)
}

/// The `witswitch cli` entry point: `-x` when `execute` is given, else interactive on
/// stdin/stdout. Errors go to stderr; the return value is the exit code.
pub async fn run(options: CliOptions, execute: Option<String>) -> u8 {
    let result = match execute {
        Some(command) => match run_once(&options, &command).await {
            Ok(output) => {
                let mut stdout = tokio::io::stdout();
                write(&mut stdout, &with_newline(output)).await
            }
            Err(error) => Err(error),
        },
        None => {
            let stdin = tokio::io::BufReader::new(tokio::io::stdin());
            let mut stdout = tokio::io::stdout();
            run_interactive(&options, stdin, &mut stdout).await
        }
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("witswitch cli: {error}");
            error.exit_code()
        }
    }
}
