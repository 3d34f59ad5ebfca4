import CMPI
public func _probe() -> Int32 { MPI_Init(nil, nil) }
