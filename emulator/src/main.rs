fn main() {
    let cfg = match nomadic_emulator::config::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(msg) => {
            let help = msg == nomadic_emulator::config::USAGE;
            eprintln!("{msg}");
            std::process::exit(if help { 0 } else { 2 });
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("nomadic-emulator: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(nomadic_emulator::run(cfg)) {
        eprintln!("nomadic-emulator: {e}");
        std::process::exit(1);
    }
}
