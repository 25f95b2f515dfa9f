# The two helpers every folder uses, so that its CMakeLists.txt stays a few lines.
#
#   vanguard_cc_library(NAME eventlog SRCS a.cc b.cc DEPS vanguard::base PRIVATE_DEPS RocksDB::rocksdb)
#     defines target vanguard_<NAME> with alias vanguard::<NAME>; headers are
#     included as "libs/<folder>/<name>.h" from the project root.
#   vanguard_cc_test(NAME eventlog_test SRCS x_test.cc DEPS vanguard::eventlog [LABELS slow])
#     builds a GoogleTest binary and registers every test case with CTest.

set(VANGUARD_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
if(VANGUARD_WERROR)
  list(APPEND VANGUARD_WARNINGS -Werror)
endif()

function(vanguard_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  if(NOT ARG_SRCS MATCHES "\\.cc")
    add_library(vanguard_${ARG_NAME} INTERFACE)
    target_include_directories(vanguard_${ARG_NAME} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(vanguard_${ARG_NAME} INTERFACE ${ARG_DEPS})
    add_library(vanguard::${ARG_NAME} ALIAS vanguard_${ARG_NAME})
    return()
  endif()
  add_library(vanguard_${ARG_NAME} ${ARG_SRCS})
  target_include_directories(vanguard_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(vanguard_${ARG_NAME} PRIVATE ${VANGUARD_WARNINGS})
  target_link_libraries(vanguard_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  add_library(vanguard::${ARG_NAME} ALIAS vanguard_${ARG_NAME})
endfunction()

function(vanguard_cc_binary)
  cmake_parse_arguments(ARG "" "NAME;OUTPUT_NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  if(ARG_OUTPUT_NAME)
    set_target_properties(${ARG_NAME} PROPERTIES OUTPUT_NAME ${ARG_OUTPUT_NAME})
  endif()
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${ARG_NAME} PRIVATE ${VANGUARD_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  # Set by cmake/sanitize.cmake in ThreadSanitizer builds.
  if(VANGUARD_BINARY_EXTRA_SOURCES)
    target_sources(${ARG_NAME} PRIVATE ${VANGUARD_BINARY_EXTRA_SOURCES})
    target_link_libraries(${ARG_NAME} PRIVATE ${VANGUARD_BINARY_EXTRA_LIBS})
  endif()
endfunction()

function(vanguard_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  vanguard_cc_binary(NAME ${ARG_NAME} SRCS ${ARG_SRCS} DEPS ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set(labels unit)
  if(ARG_LABELS)
    set(labels ${ARG_LABELS})
  endif()
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS "${labels}"
    DISCOVERY_TIMEOUT 60)
endfunction()
