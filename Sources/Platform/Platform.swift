// What alphasweep asks of the machine it runs on, in one place: the host name, clocks, the
// memory it may use, programs on PATH, the CPU's vector instructions, and stop signals.
// Linux (glibc) only, like the rest of alphasweep; no other module calls these system
// interfaces itself.
