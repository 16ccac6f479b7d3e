use clap::Parser;

fn main() -> anyhow::Result<()> {
    miner::init_allocator();
    let raw: Vec<String> = std::env::args().collect();
    let cli = match miner::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit();
            }
            // One line naming the value and what is expected; `mine --help` has the rest.
            // clap's first paragraph (the error and the values it lists), folded into one line.
            let text = e.render().to_string();
            let mut parts: Vec<&str> = Vec::new();
            for l in text.lines() {
                let t = l.trim();
                if t.is_empty() {
                    if parts.is_empty() {
                        continue;
                    }
                    break;
                }
                if !t.starts_with("tip:") && !t.starts_with("Usage:") {
                    parts.push(t);
                }
            }
            let line = parts.join(" ");
            let line = line.trim_start_matches("error: ");
            eprintln!("mine: error: {line} (see mine --help)");
            std::process::exit(2);
        }
    };
    match miner::cli::run(cli, &raw) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("mine: error: {e}");
            std::process::exit(e.exit_code());
        }
    }
}
