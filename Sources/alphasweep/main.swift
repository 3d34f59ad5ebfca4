print("alphasweep")
