# Box capacity: the vehicle, its box and chilled compartment (volume units).

blocker-box-full = the box is full: { $units } { $units ->
        [one] unit
       *[other] units
    } with this pickup, room for { $capacity }
blocker-chilled-full = the chilled compartment is full: { $units } { $units ->
        [one] unit
       *[other] units
    } with this pickup, room for { $capacity }

vehicle-on-foot = On foot
vehicle-bicycle = Bicycle
vehicle-scooter = Scooter
vehicle-motorbike = Motorbike
vehicle-car = Car
vehicle-van = Van

# The box on the shift bar: the vehicle, then used / room.
box-load = { $vehicle }: box { $units }/{ $capacity }
box-load-with-chilled = { $vehicle }: box { $units }/{ $capacity } · chilled { $chilled }/{ $chilled_capacity }
