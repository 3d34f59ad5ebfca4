import CHDF5
public func _probe() -> Int64 { alphasweep_h5t_native_double() }
