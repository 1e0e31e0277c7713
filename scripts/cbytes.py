"""cbytes.py - what the embed-*.py generators share: data written as a C
byte array, NUL-terminated. ISO C only promises string literals of 4095
characters, and migrations and some statements are longer."""


def write_bytes(f, name, data):
    """Writes `static const unsigned char NAME[]` holding data and a NUL."""
    data += b"\0"
    f.write("static const unsigned char %s[] = {" % name)
    for j in range(0, len(data), 16):
        f.write("\n\t" + ", ".join(str(b) for b in data[j:j + 16]) + ",")
    f.write("\n};\n")
