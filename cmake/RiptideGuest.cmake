# The guest → wasm2c → host object pipeline (ARCHITECTURE.md, "Sandbox = wasm2c AOT + our own
# runtime"). Two functions:
#
#   riptide_wasm2c_library(<target> WASM <file.wasm> MODULE <name> [DEPENDS <targets/files>...])
#     Translates <file.wasm> with Debian's wasm2c into <name>.c/<name>.h (symbols Z_<name>_...) in
#     <binary dir>/<target>/, and builds a STATIC library from it. <name>.h is on the library's
#     public include path; the library links riptide_wasm_rt (our implementation of wasm-rt.h).
#
#   riptide_c_guest(<target> SOURCES <file.c>... EXPORTS <name>... [MODULE <name>]
#                   [STACK_SIZE <bytes>] [MAX_MEMORY <bytes>])
#     Compiles small freestanding C guests (no libc) with clang-14 for wasm32-wasi into
#     <binary dir>/<target>.wasm, then riptide_wasm2c_library(<target> ... MODULE <name>).
#     MODULE defaults to <target>. Imports are declared in the C source with
#     __attribute__((import_module("m"), import_name("f"))) and become Z_mZ_f(...) in the host.
#     Used for the hostile test guests of tests/unit/sandbox.

find_program(RIPTIDE_WASM2C wasm2c)
find_program(RIPTIDE_GUEST_CLANG clang-14)

# The generated C is compiled with -O3 whatever the build type: at -O0 it is an order of magnitude
# slower, and debug info for machine-translated code helps nobody; -O3 over -O2 takes the
# extractor's sandbox/native CPU time on the corpus from 1.44x to 1.38x at no extra compile time.
# Warnings are off (the code is generated). Sanitizers are off too: the guest's loads and stores
# fault on purpose in the guard region (that is how out-of-bounds accesses become traps), which
# ASan would report as its own errors. -fstack-clash-protection makes every large native frame
# probe its pages, so deep guest recursion always hits the thread's guard page (a trap) instead of
# jumping over it.
set(RIPTIDE_WASM2C_C_FLAGS -O3 -g0 -w -fno-sanitize=all -fstack-clash-protection)

function(riptide_wasm2c_library target)
  cmake_parse_arguments(ARG "" "WASM;MODULE" "DEPENDS" ${ARGN})
  if(NOT ARG_WASM OR NOT ARG_MODULE)
    message(FATAL_ERROR "riptide_wasm2c_library(${target}): WASM and MODULE are required")
  endif()
  if(NOT RIPTIDE_WASM2C)
    message(FATAL_ERROR "wasm2c not found (Debian package wabt; run scripts/setup.sh)")
  endif()
  set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/${target})
  set(out_c ${out_dir}/${ARG_MODULE}.c)
  set(out_h ${out_dir}/${ARG_MODULE}.h)
  add_custom_command(
    OUTPUT ${out_c} ${out_h}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${out_dir}
    COMMAND ${RIPTIDE_WASM2C} ${ARG_WASM} --module-name=${ARG_MODULE} -o ${out_c}
    DEPENDS ${ARG_WASM} ${ARG_DEPENDS}
    COMMENT "wasm2c ${ARG_MODULE}"
    VERBATIM)
  add_library(${target} STATIC ${out_c} ${out_h})
  target_compile_options(${target} PRIVATE ${RIPTIDE_WASM2C_C_FLAGS})
  target_include_directories(${target} PUBLIC ${out_dir})
  target_link_libraries(${target} PUBLIC riptide_wasm_rt)
endfunction()

function(riptide_c_guest target)
  cmake_parse_arguments(ARG "" "MODULE;STACK_SIZE;MAX_MEMORY" "SOURCES;EXPORTS" ${ARGN})
  if(NOT ARG_SOURCES OR NOT ARG_EXPORTS)
    message(FATAL_ERROR "riptide_c_guest(${target}): SOURCES and EXPORTS are required")
  endif()
  if(NOT RIPTIDE_GUEST_CLANG)
    message(FATAL_ERROR "clang-14 not found (run scripts/setup.sh)")
  endif()
  if(NOT ARG_MODULE)
    set(ARG_MODULE ${target})
  endif()
  if(NOT ARG_STACK_SIZE)
    set(ARG_STACK_SIZE 65536)
  endif()
  if(NOT ARG_MAX_MEMORY)
    set(ARG_MAX_MEMORY 16777216)
  endif()
  set(export_flags "")
  foreach(name IN LISTS ARG_EXPORTS)
    list(APPEND export_flags -Wl,--export=${name})
  endforeach()
  set(sources "")
  foreach(src IN LISTS ARG_SOURCES)
    get_filename_component(abs ${src} ABSOLUTE)
    list(APPEND sources ${abs})
  endforeach()
  set(wasm ${CMAKE_CURRENT_BINARY_DIR}/${target}.wasm)
  # --stack-first puts the guest's shadow stack below its data, so an overflow runs off address 0
  # and traps instead of silently overwriting data; --strip-debug, not -s, because clang-14 runs
  # wasm-opt after linking and that needs the target-features section.
  add_custom_command(
    OUTPUT ${wasm}
    COMMAND ${RIPTIDE_GUEST_CLANG} --target=wasm32-wasi -O2 -nostdlib -ffreestanding
            -Wall -Wextra -Werror -fuse-ld=lld -Wl,--no-entry ${export_flags}
            -Wl,--stack-first -Wl,-z,stack-size=${ARG_STACK_SIZE}
            -Wl,--max-memory=${ARG_MAX_MEMORY} -Wl,--strip-debug
            ${sources} -o ${wasm}
    DEPENDS ${sources}
    COMMENT "clang-14 wasm32-wasi ${target}.wasm"
    VERBATIM)
  riptide_wasm2c_library(${target} WASM ${wasm} MODULE ${ARG_MODULE})
endfunction()
