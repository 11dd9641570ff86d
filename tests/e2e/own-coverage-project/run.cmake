execute_process(COMMAND "${TOOL}" count a bb ccc OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out STREQUAL "6\n")
  message(FATAL_ERROR "tool count printed '${out}' (exit ${rc})")
endif()
