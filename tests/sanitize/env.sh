# Runtime options of the sanitizer builds, sourced by tools/sanitize; source it
# to run a binary of build-asan/, build-tsan/ or build-fuzz/ by hand.
sanitize_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Stop at the first error with a stack; leaks are errors (LeakSanitizer runs
# at exit); symbolize with the toolchain's llvm-symbolizer where there is one.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=0:detect_leaks=1:detect_stack_use_after_return=0:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$sanitize_dir/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66:suppressions=$sanitize_dir/tsan.supp"
