//! `cargo run --release -p registre-matchmaking --example schedule_bench -- --scale M --seed 42`
//! or `-- --instance FILE [--out FILE] [--seed N]`: prints one JSON line (see `bench::run_cli`).

use std::error::Error;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match registre_matchmaking::bench::run_cli(&args) {
        Ok(line) => println!("{line}"),
        Err(error) => {
            // The whole cause chain, once, at the boundary.
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            eprintln!("schedule_bench: {message}");
            std::process::exit(2);
        }
    }
}
