# Helpers in the spirit of Abseil's absl_cc_library/absl_cc_test: one small library
# per module and its test right beside it.

# pcmd_cc_library(NAME name SRCS ... [HDRS ...] [DEPS ...])
function(pcmd_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;HDRS;DEPS" ${ARGN})
  if(ARG_SRCS)
    add_library(${ARG_NAME} STATIC ${ARG_SRCS} ${ARG_HDRS})
    target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS})
    target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}
                                                   ${PROJECT_BINARY_DIR}/proto)
  else()
    add_library(${ARG_NAME} INTERFACE ${ARG_HDRS})
    target_link_libraries(${ARG_NAME} INTERFACE ${ARG_DEPS})
    target_include_directories(${ARG_NAME} INTERFACE ${PROJECT_SOURCE_DIR}
                                                      ${PROJECT_BINARY_DIR}/proto)
  endif()
endfunction()

# pcmd_cc_test(NAME name SRCS ... [DEPS ...] [LABELS ...])
# Registers each GoogleTest case with ctest so failures name the sentence that broke.
function(pcmd_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  if(NOT BUILD_TESTING)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  # "pcmd_intake_tips_test" → ctest names like "intake_tips.TipsTest.RecordsANewTip...".
  string(REGEX REPLACE "^pcmd_(.*)_test$" "\\1." _prefix ${ARG_NAME})
  gtest_discover_tests(${ARG_NAME} TEST_PREFIX ${_prefix} DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
