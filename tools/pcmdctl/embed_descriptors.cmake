# Writes a C++ source holding the bytes of a descriptor set, for pcmdctl.
#   cmake -DINPUT=file.pb -DOUTPUT=file.cc -P embed_descriptors.cmake
file(READ "${INPUT}" _hex HEX)
string(LENGTH "${_hex}" _length)
math(EXPR _size "${_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
string(REGEX REPLACE "((0x..,){24})" "\\1\n" _bytes "${_bytes}")
file(WRITE "${OUTPUT}.tmp"
     "// Generated from ${INPUT}; do not edit.\n"
     "extern const unsigned char kPcmdctlDescriptorSet[];\n"
     "extern const unsigned long kPcmdctlDescriptorSetSize;\n"
     "const unsigned char kPcmdctlDescriptorSet[] = {\n${_bytes}\n};\n"
     "const unsigned long kPcmdctlDescriptorSetSize = ${_size};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
