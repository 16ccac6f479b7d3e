use clap::Parser;

fn main() -> anyhow::Result<()> {
    let raw: Vec<String> = std::env::args().collect();
    let cli = miner::cli::Cli::parse();
    match miner::cli::run(cli, &raw) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("mine: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
