//! Tests of the driver models on small images (Table 1 is tests/drivers.rs).
