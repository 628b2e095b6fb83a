//! `cargo run --release --example pipelining [latency_ms]`: what `:batchexec` pipelining buys
//! on a network with latency. Starts a throwaway PostgreSQL, puts a TCP proxy in front of it
//! that delays every byte by `latency_ms` each way (default 5), then touches 100 API keys with
//! a loop of `:exec` calls and with one `:batchexec` call, and prints both times.

use std::time::{Duration, Instant};

use squill::re::uuid::Uuid;
use squill_demo::{ShopPlan, db};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UnixStream};
use tokio::sync::mpsc;

const KEYS: usize = 100;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let latency = Duration::from_millis(std::env::args().nth(1).map_or(Ok(5), |a| a.parse())?);
    let server = tokio::task::spawn_blocking(squill_codegen::live::TempServer::start).await??;
    let socket = server.socket_dir().join(".s.PGSQL.5432");
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(proxy(listener, socket, latency));

    let url = format!(
        "host=127.0.0.1 port={port} user=postgres password={} dbname=postgres",
        server.password()
    );
    let client = squill_demo::connect_and_migrate(&url).await?;
    let owner = db::users::create_user(&client, "pipelining@example.com", None).await?;
    let shop =
        db::shops::create_shop(&client, "Latency", ShopPlan::Free, "EUR", None, owner.id).await?;
    let mut ids: Vec<Uuid> = Vec::new();
    for i in 0..KEYS {
        let hash = format!("key-{i}");
        ids.push(
            db::api_keys::create_api_key(&client, shop.id, "k", hash.as_bytes(), &[], None)
                .await?
                .id,
        );
    }
    // Warm both statements so that neither run pays for a prepare.
    db::api_keys::touch_api_key(&client, shop.id, ids[0]).await?;
    db::api_keys::touch_api_keys(
        &client,
        &[db::api_keys::TouchApiKeysParams {
            id: ids[0],
            shop_id: shop.id,
        }],
    )
    .await?;

    let started = Instant::now();
    for id in &ids {
        db::api_keys::touch_api_key(&client, shop.id, *id).await?;
    }
    let looped = started.elapsed();

    let params: Vec<_> = ids
        .iter()
        .map(|&id| db::api_keys::TouchApiKeysParams {
            id,
            shop_id: shop.id,
        })
        .collect();
    let started = Instant::now();
    let touched = db::api_keys::touch_api_keys(&client, &params).await?;
    let batched = started.elapsed();
    assert_eq!(touched.iter().sum::<u64>(), KEYS as u64);

    println!("{KEYS} updates over a link with {latency:?} each way:");
    println!("  loop of :exec calls   {looped:>10.1?}");
    println!("  one :batchexec call   {batched:>10.1?}");
    println!(
        "  speed-up              {:>9.1}x",
        looped.as_secs_f64() / batched.as_secs_f64()
    );
    Ok(())
}

/// Forwards TCP connections to the server's unix socket, delaying each chunk by `latency`
/// while keeping the stream flowing (a queue with deadlines, not a sleep per read).
async fn proxy(listener: TcpListener, socket: std::path::PathBuf, latency: Duration) {
    while let Ok((tcp, _)) = listener.accept().await {
        let Ok(unix) = UnixStream::connect(&socket).await else {
            continue;
        };
        let (tcp_read, tcp_write) = tcp.into_split();
        let (unix_read, unix_write) = unix.into_split();
        tokio::spawn(delayed_copy(tcp_read, unix_write, latency));
        tokio::spawn(delayed_copy(unix_read, tcp_write, latency));
    }
}

async fn delayed_copy(
    mut from: impl AsyncReadExt + Unpin + Send + 'static,
    mut to: impl AsyncWriteExt + Unpin + Send + 'static,
    latency: Duration,
) {
    let (sender, mut receiver) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    tokio::spawn(async move {
        while let Some((due, chunk)) = receiver.recv().await {
            tokio::time::sleep_until(due.into()).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
    });
    let mut buffer = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buffer).await {
        if n == 0
            || sender
                .send((Instant::now() + latency, buffer[..n].to_vec()))
                .is_err()
        {
            return;
        }
    }
}
