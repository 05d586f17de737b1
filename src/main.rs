fn main() -> std::process::ExitCode {
    tlstrace::cli::main()
}
