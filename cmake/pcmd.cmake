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

# pcmd_uses_service_binaries(TARGET): a test that starts the real binaries learns where
# they are (PCMD_PLANS_BIN, PCMD_INTAKE_BIN, PCMD_INSPECTIONS_BIN, PCMD_REFERRALS_BIN,
# PCMD_EVENTS_BIN, PCMD_HEALTH_BIN), where deploy/certs.sh and the sources are
# (PCMD_CERTS_SCRIPT, PCMD_SOURCE_DIR), and is built after them.
function(pcmd_uses_service_binaries target)
  if(NOT BUILD_TESTING)
    return()
  endif()
  target_compile_definitions(${target} PRIVATE
    PCMD_PLANS_BIN="$<TARGET_FILE:pcmd-plans>"
    PCMD_INTAKE_BIN="$<TARGET_FILE:pcmd-intake>"
    PCMD_INSPECTIONS_BIN="$<TARGET_FILE:pcmd-inspections>"
    PCMD_REFERRALS_BIN="$<TARGET_FILE:pcmd-referrals>"
    PCMD_EVENTS_BIN="$<TARGET_FILE:pcmd-events>"
    PCMD_HEALTH_BIN="$<TARGET_FILE:pcmd-health>"
    PCMD_CERTS_SCRIPT="${PROJECT_SOURCE_DIR}/deploy/certs.sh"
    PCMD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(${target} pcmd-plans pcmd-intake pcmd-inspections pcmd-referrals pcmd-keys
                   pcmd-events pcmd-health)
endfunction()
