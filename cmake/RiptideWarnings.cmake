# Warnings for every riptide target, and the portable-layer settings.
function(riptide_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wnon-virtual-dtor
                         -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wshadow=local)
  else()
    target_compile_options(${target} PRIVATE -Wshadow-uncaptured-local)
  endif()
  if(RIPTIDE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Portable layers (core, html, url, extract) must build without exceptions, because the same code
# is compiled for wasm32-wasi, where there are no exceptions.
function(riptide_portable_library target)
  riptide_warnings(${target})
  target_compile_options(${target} PRIVATE -fno-exceptions)
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
endfunction()

function(riptide_host_library target)
  riptide_warnings(${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
endfunction()
