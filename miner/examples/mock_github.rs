//! A mock of the GitHub REST API on 127.0.0.1 for the org-scale benchmark
//! (`scripts/bench-github-org.sh`): `/orgs/{org}/repos` with N repositories,
//! 100 a page with `Link` headers, whose `clone_url`s are
//! `{clone_base}/r{i}.git`. One page (if asked) answers a rate-limit 403
//! first. It counts requests and prints the count on SIGTERM-free exit when
//! `/__count` is requested. Development tool only: never part of `mine`.
//!
//!   cargo run --release --example mock_github -- PORT ORG N CLONE_BASE [RATE_LIMITED_PAGE]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 5 {
        eprintln!("usage: mock_github PORT ORG N CLONE_BASE [RATE_LIMITED_PAGE]");
        std::process::exit(2);
    }
    let (port, org, n, base) = (a[1].clone(), a[2].clone(), a[3].parse::<usize>().unwrap_or(0), a[4].clone());
    let limited: Option<usize> = a.get(5).and_then(|p| p.parse().ok());
    let listener = TcpListener::bind(format!("127.0.0.1:{port}")).unwrap_or_else(|e| {
        eprintln!("mock_github: cannot bind 127.0.0.1:{port}: {e}");
        std::process::exit(1)
    });
    let count = Arc::new(AtomicU64::new(0));
    let limited_done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    println!("mock_github listening on 127.0.0.1:{port} with {n} repositories");
    for conn in listener.incoming() {
        let Ok(mut conn) = conn else { continue };
        let (count, limited_done, org, base, port) =
            (count.clone(), limited_done.clone(), org.clone(), base.clone(), port.clone());
        std::thread::spawn(move || {
            let mut reader = BufReader::new(match conn.try_clone() {
                Ok(c) => c,
                Err(_) => return,
            });
            loop {
                let mut first = String::new();
                if reader.read_line(&mut first).unwrap_or(0) == 0 {
                    return;
                }
                let path = first.split_whitespace().nth(1).unwrap_or("").to_string();
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let (status, extra, body) = respond(&path, &org, n, &base, limited, &limited_done, &count, port.as_str());
                let resp = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n{body}",
                    body.len()
                );
                if conn.write_all(resp.as_bytes()).is_err() {
                    return;
                }
            }
        });
    }
}

#[allow(clippy::too_many_arguments)]
fn respond(
    path: &str,
    org: &str,
    n: usize,
    base: &str,
    limited: Option<usize>,
    limited_done: &std::sync::atomic::AtomicBool,
    count: &AtomicU64,
    port: &str,
) -> (u16, String, String) {
    if path == "/__count" {
        return (200, String::new(), format!("{{\"requests\": {}}}", count.load(Ordering::Relaxed)));
    }
    count.fetch_add(1, Ordering::Relaxed);
    let prefix = format!("/orgs/{org}/repos");
    if !path.starts_with(&prefix) {
        return (404, String::new(), r#"{"message":"Not Found"}"#.into());
    }
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or("");
    let page: usize = query.split('&').find_map(|kv| kv.strip_prefix("page=")).and_then(|p| p.parse().ok()).unwrap_or(1);
    if limited == Some(page) && !limited_done.swap(true, Ordering::SeqCst) {
        let reset = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0) + 1;
        return (
            403,
            format!("x-ratelimit-remaining: 0\r\nx-ratelimit-reset: {reset}\r\n"),
            r#"{"message":"API rate limit exceeded"}"#.into(),
        );
    }
    let start = (page - 1) * 100;
    let items: Vec<String> = (start..n.min(start + 100))
        .map(|i| {
            format!(
                r#"{{"full_name":"{org}/r{i}","clone_url":"{base}/r{i}.git","default_branch":"main","fork":false,"archived":false,"stargazers_count":{i},"forks_count":0,"language":"Python","topics":[],"size":10}}"#
            )
        })
        .collect();
    let link = if start + 100 < n {
        format!("Link: <http://127.0.0.1:{port}{prefix}?type=all&per_page=100&page={}>; rel=\"next\"\r\n", page + 1)
    } else {
        String::new()
    };
    (200, link, format!("[{}]", items.join(",")))
}
