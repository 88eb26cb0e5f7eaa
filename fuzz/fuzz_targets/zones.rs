#![no_main]
//! Alert zone files (GeoJSON) and allow-lists: errors, never panics; every
//! zone parsed answers containment queries.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(zones) = ridscope::alert::parse_geojson(text) {
        for z in &zones {
            let _ = z.contains(52.47, 13.40);
            let _ = z.contains(-90.0, 180.0);
        }
    }
    let _ = ridscope::alert::AllowList::parse(text);
});
