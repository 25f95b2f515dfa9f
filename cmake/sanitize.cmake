# Sanitizer and fuzzing builds. Each lives in a build directory of its own
# (tools/sanitize makes build-asan/, build-tsan/ and build-fuzz/):
#
#   cmake -B build-asan -DVANGUARD_SANITIZE=address,undefined   # GCC or clang
#   cmake -B build-tsan -DVANGUARD_SANITIZE=thread
#   cmake -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 \
#         -DVANGUARD_FUZZ=ON                                      # implies address,undefined
#
# The flags apply to every target of the tree; the system libraries (gRPC,
# Protobuf, RocksDB, librdkafka, Abseil) stay uninstrumented, which is why
# the runtime options and suppressions in tests/sanitize/ exist. Undefined
# behaviour aborts (-fno-sanitize-recover) so that it fails the test.

set(VANGUARD_SANITIZE "" CACHE STRING
    "Sanitizers for the whole tree: address, undefined, address,undefined or thread; empty for none")
option(VANGUARD_FUZZ "Build the libFuzzer targets of tests/fuzz (clang only)" OFF)

set(VANGUARD_SANITIZERS ${VANGUARD_SANITIZE})
string(REPLACE "," ";" VANGUARD_SANITIZERS "${VANGUARD_SANITIZERS}")
if(VANGUARD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "VANGUARD_FUZZ needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  list(APPEND VANGUARD_SANITIZERS address undefined)
endif()
list(REMOVE_DUPLICATES VANGUARD_SANITIZERS)

foreach(sanitizer IN LISTS VANGUARD_SANITIZERS)
  if(NOT sanitizer MATCHES "^(address|undefined|thread)$")
    message(FATAL_ERROR "VANGUARD_SANITIZE: unknown sanitizer '${sanitizer}'")
  endif()
endforeach()
if("thread" IN_LIST VANGUARD_SANITIZERS AND "address" IN_LIST VANGUARD_SANITIZERS)
  message(FATAL_ERROR "VANGUARD_SANITIZE: thread cannot be combined with address")
endif()

if(VANGUARD_SANITIZERS)
  list(JOIN VANGUARD_SANITIZERS "," joined)
  set(flags -fsanitize=${joined} -fno-omit-frame-pointer -g)
  if("undefined" IN_LIST VANGUARD_SANITIZERS)
    list(APPEND flags -fno-sanitize-recover=undefined)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      # -fsanitize=function and vptr look at the type information of objects
      # the uninstrumented system libraries make; those checks are for code
      # built wholly with clang.
      list(APPEND flags -fno-sanitize=function,vptr)
    endif()
  endif()
  if("thread" IN_LIST VANGUARD_SANITIZERS)
    # Makes Debian's uninstrumented absl::Mutex, CondVar and Notification
    # visible to TSan (see the file); linked into every executable.
    set(VANGUARD_BINARY_EXTRA_SOURCES ${PROJECT_SOURCE_DIR}/tests/sanitize/absl_sync_tsan.cc)
    set(VANGUARD_BINARY_EXTRA_LIBS absl::synchronization ${CMAKE_DL_LIBS})
  endif()
  add_compile_options(${flags})
  add_link_options(-fsanitize=${joined})
  message(STATUS "Vanguard: sanitizers ${joined}")
endif()
if(VANGUARD_FUZZ)
  # Coverage for libFuzzer in every library the fuzz targets link; only the
  # fuzz targets themselves link libFuzzer's main (tests/fuzz).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
