//! `cargo run --release -p registre-matchmaking --example schedule_bench -- --scale M --seed 42`
//! or `-- --instance FILE [--out FILE] [--seed N]`: prints one JSON line (see `bench::run_cli`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match registre_matchmaking::bench::run_cli(&args) {
        Ok(line) => println!("{line}"),
        Err(error) => {
            eprintln!("schedule_bench: {error}");
            std::process::exit(2);
        }
    }
}
