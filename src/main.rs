fn main() -> std::process::ExitCode {
    ossature::cli::main()
}
