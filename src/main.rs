/// explain allocates many small, short-lived values per connection; jemalloc
/// serves them in fewer instructions than the system allocator, at the same
/// peak memory (docs/performance.md).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    tlstrace::cli::main()
}
