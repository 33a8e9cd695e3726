# Messages the courier sends the customer (core/src/contact.rs), in the customer's language.
# $eta arrives formatted ("6 min").

customer-arriving-in = Your courier is arriving in about { $eta }.
customer-on-the-way = Your courier is on the way.
customer-at-the-door = Your courier is at your door.
customer-left-at-reception = Your order was left at reception.
customer-left-at-door = Your order was left at your door.
