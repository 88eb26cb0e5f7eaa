fn main() -> std::process::ExitCode {
    ridscope::cli::main()
}
