//! Emit
