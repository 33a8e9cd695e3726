# 配送箱容量：车辆、配送箱与冷藏格（单位为体积单位）。

blocker-box-full = 配送箱已满：取这单后共{ $units }个单位，容量只有{ $capacity }个单位
blocker-chilled-full = 冷藏格已满：取这单后共{ $units }个单位，容量只有{ $capacity }个单位

vehicle-on-foot = 步行
vehicle-bicycle = 自行车
vehicle-scooter = 电动车
vehicle-motorbike = 摩托车
vehicle-car = 汽车
vehicle-van = 厢式货车

# 班次栏上的配送箱：车辆，已用 / 容量。
box-load = { $vehicle }：配送箱 { $units }/{ $capacity }
box-load-with-chilled = { $vehicle }：配送箱 { $units }/{ $capacity } · 冷藏 { $chilled }/{ $chilled_capacity }
