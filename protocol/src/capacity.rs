//! The courier's vehicle and box, and how much of it goods take. Dispatch sets a courier's
//! vehicle (its kind, the box's volume in units and a separate chilled compartment); each item
//! of a task takes `size` units per piece (absent: [`DEFAULT_ITEM_SIZE`]); chilled and frozen
//! items go in the chilled compartment, the rest in the box. The arithmetic lives here so the
//! phone and the server count the same load with the same code.

use serde::{Deserialize, Serialize};

use crate::{ItemDoc, TemperatureClass};

/// Units one piece of an item takes when the platform gave no size.
pub const DEFAULT_ITEM_SIZE: i64 = 1;

/// Units a task with no items takes (an order whose contents the platform did not list: one
/// order, as the planner counted before sizes existed).
pub const UNLISTED_ORDER_UNITS: i64 = 1;

/// Most units of a box, of a chilled compartment or of one piece: far beyond any vehicle, and
/// sums over any round stay far from overflowing.
pub const MAX_UNITS: i64 = 1_000_000;

/// What the courier rides or drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum VehicleKind {
    /// On foot, with a bag.
    OnFoot,
    /// A bicycle.
    Bicycle,
    /// An electric scooter or moped.
    Scooter,
    /// A motorbike.
    Motorbike,
    /// A car.
    Car,
    /// A van.
    Van,
}

impl VehicleKind {
    /// The stable wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            VehicleKind::OnFoot => "on_foot",
            VehicleKind::Bicycle => "bicycle",
            VehicleKind::Scooter => "scooter",
            VehicleKind::Motorbike => "motorbike",
            VehicleKind::Car => "car",
            VehicleKind::Van => "van",
        }
    }
}

/// A courier's vehicle and box, as dispatch set it (`PUT /v1/dispatch/couriers/{id}/vehicle`)
/// and the pull delivers it to the courier's phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[cfg_attr(feature = "uniffi", uniffi(name = "Vehicle"))]
pub struct VehicleDoc {
    /// Grows with every change of this courier's vehicle; 0 when never set (the server
    /// assigns it: a value sent to the server is ignored).
    #[serde(default)]
    pub version: i64,
    /// What the courier rides or drives.
    pub kind: VehicleKind,
    /// The box's volume, units (0 to [`MAX_UNITS`]).
    pub box_units: i64,
    /// The chilled compartment's volume, units (0 to [`MAX_UNITS`]; 0: none).
    #[serde(default)]
    pub chilled_units: i64,
}

impl VehicleDoc {
    /// The room it offers.
    pub fn capacity(&self) -> Load {
        Load {
            box_units: self.box_units,
            chilled_units: self.chilled_units,
        }
    }

    /// What is wrong with it, if anything: the field and the reason.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        for (field, v) in [
            ("box_units", self.box_units),
            ("chilled_units", self.chilled_units),
        ] {
            if !(0..=MAX_UNITS).contains(&v) {
                return Some((field, format!("must be 0 to {MAX_UNITS} units, not {v}")));
            }
        }
        None
    }
}

/// Where goods ride: the box, or the chilled compartment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Compartment {
    /// The box (ambient and hot goods).
    Box,
    /// The chilled compartment (chilled and frozen goods).
    Chilled,
}

/// Goods that would not fit: which compartment, the units it would hold with them, and its
/// room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Overflow {
    /// The compartment that overflows (the box first when both do).
    pub compartment: Compartment,
    /// Units it would hold.
    pub units: i64,
    /// Units it has room for.
    pub capacity: i64,
}

/// Whether `extra` goods (an order's items; none listed: [`UNLISTED_ORDER_UNITS`]) overflow
/// the box or the chilled compartment of `capacity` on top of `load_now`: the overflow, or
/// `None` when they fit. The pickup blocker, the box on the shift bar and an offer's plan
/// impact all ask this one function.
pub fn box_overflow(load_now: Load, extra: &[ItemDoc], capacity: Load) -> Option<Overflow> {
    let after = load_now.plus(order_load(extra));
    if after.box_units > capacity.box_units {
        Some(Overflow {
            compartment: Compartment::Box,
            units: after.box_units,
            capacity: capacity.box_units,
        })
    } else if after.chilled_units > capacity.chilled_units {
        Some(Overflow {
            compartment: Compartment::Chilled,
            units: after.chilled_units,
            capacity: capacity.chilled_units,
        })
    } else {
        None
    }
}

/// Volume in the box and in the chilled compartment, units (a load, or a capacity).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Load {
    /// Units in the box.
    pub box_units: i64,
    /// Units in the chilled compartment.
    pub chilled_units: i64,
}

impl Load {
    /// Nothing.
    pub const ZERO: Load = Load {
        box_units: 0,
        chilled_units: 0,
    };

    /// Both parts added (saturating).
    pub fn plus(self, o: Load) -> Load {
        Load {
            box_units: self.box_units.saturating_add(o.box_units),
            chilled_units: self.chilled_units.saturating_add(o.chilled_units),
        }
    }

    /// Both parts taken away (saturating).
    pub fn minus(self, o: Load) -> Load {
        Load {
            box_units: self.box_units.saturating_sub(o.box_units),
            chilled_units: self.chilled_units.saturating_sub(o.chilled_units),
        }
    }

    /// True when each part is within the capacity's.
    pub fn fits(self, capacity: Load) -> bool {
        self.box_units <= capacity.box_units && self.chilled_units <= capacity.chilled_units
    }

    /// The larger of each part.
    pub fn max(self, o: Load) -> Load {
        Load {
            box_units: self.box_units.max(o.box_units),
            chilled_units: self.chilled_units.max(o.chilled_units),
        }
    }
}

/// True for goods that ride in the chilled compartment (chilled and frozen).
pub fn is_chilled(t: TemperatureClass) -> bool {
    matches!(t, TemperatureClass::Chilled | TemperatureClass::Frozen)
}

impl ItemDoc {
    /// Units one piece takes: its size, or [`DEFAULT_ITEM_SIZE`] (a negative size from a
    /// broken sender counts as 0; the server refuses one).
    pub fn piece_units(&self) -> i64 {
        self.size.unwrap_or(DEFAULT_ITEM_SIZE).clamp(0, MAX_UNITS)
    }

    /// The load of the whole line (every piece), in the box or the chilled compartment.
    pub fn load(&self) -> Load {
        let units = self.piece_units().saturating_mul(i64::from(self.quantity));
        if is_chilled(self.temperature) {
            Load {
                box_units: 0,
                chilled_units: units,
            }
        } else {
            Load {
                box_units: units,
                chilled_units: 0,
            }
        }
    }
}

/// The load of an order's goods: the sum of its items, or [`UNLISTED_ORDER_UNITS`] in the box
/// when it lists none.
pub fn order_load(items: &[ItemDoc]) -> Load {
    if items.is_empty() {
        return Load {
            box_units: UNLISTED_ORDER_UNITS,
            chilled_units: 0,
        };
    }
    items.iter().fold(Load::ZERO, |l, i| l.plus(i.load()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(size: Option<i64>, quantity: u32, temperature: TemperatureClass) -> ItemDoc {
        ItemDoc {
            code: "X".into(),
            name: "x".into(),
            temperature,
            quantity,
            size,
        }
    }

    #[test]
    fn an_orders_load_sums_its_lines_by_compartment() {
        let items = [
            item(Some(3), 2, TemperatureClass::Ambient),
            item(None, 1, TemperatureClass::Hot),
            item(Some(2), 1, TemperatureClass::Chilled),
            item(Some(1), 3, TemperatureClass::Frozen),
        ];
        assert_eq!(
            order_load(&items),
            Load {
                box_units: 7,
                chilled_units: 5
            }
        );
        assert_eq!(order_load(&[]).box_units, UNLISTED_ORDER_UNITS);
        assert_eq!(
            item(Some(-4), 2, TemperatureClass::Ambient).load(),
            Load::ZERO
        );
    }

    #[test]
    fn a_load_fits_only_when_both_compartments_do() {
        let cap = Load {
            box_units: 10,
            chilled_units: 2,
        };
        assert!(Load {
            box_units: 10,
            chilled_units: 2
        }
        .fits(cap));
        assert!(!Load {
            box_units: 11,
            chilled_units: 0
        }
        .fits(cap));
        assert!(!Load {
            box_units: 0,
            chilled_units: 3
        }
        .fits(cap));
    }

    #[test]
    fn an_overflow_names_the_compartment_and_the_units() {
        let cap = Load {
            box_units: 10,
            chilled_units: 2,
        };
        let now = Load {
            box_units: 8,
            chilled_units: 1,
        };
        let bag = [item(Some(4), 1, TemperatureClass::Ambient)];
        assert_eq!(
            box_overflow(now, &bag, cap),
            Some(Overflow {
                compartment: Compartment::Box,
                units: 12,
                capacity: 10
            })
        );
        let milk = [item(Some(1), 2, TemperatureClass::Chilled)];
        assert_eq!(
            box_overflow(now, &milk, cap).map(|o| (o.compartment, o.units)),
            Some((Compartment::Chilled, 3))
        );
        assert_eq!(
            box_overflow(now, &[item(Some(2), 1, TemperatureClass::Hot)], cap),
            None
        );
        // An order that lists no items takes one unit.
        assert_eq!(box_overflow(now, &[], cap), None);
        assert!(box_overflow(cap, &[], cap).is_some());
    }

    #[test]
    fn a_vehicle_with_a_negative_box_names_the_field() {
        let v = VehicleDoc {
            version: 0,
            kind: VehicleKind::Scooter,
            box_units: -1,
            chilled_units: 0,
        };
        assert_eq!(v.problem().map(|p| p.0), Some("box_units"));
        let json = r#"{"kind":"van","box_units":40}"#;
        let v: VehicleDoc = serde_json::from_str(json).unwrap();
        assert_eq!(
            (v.kind, v.chilled_units, v.problem()),
            (VehicleKind::Van, 0, None)
        );
    }
}
