// The SDK's enums and the default structured-ODD schema. Values are the protocol's: strings a
// caller may also pass directly (analysis types are matched case-insensitively, with aliases).

export const AnalysisType = Object.freeze({
  ASK: 'rapid_review',
  GENERAL_AGENT: 'edge_case_agent',
  LANE_CHANGE: 'lane_change_agent',
  TURN: 'turn_agent',
  RELATIVE_MOTION: 'relative_motion_agent',
  DRIVING_VIOLATIONS: 'violation_agent',
});

export const CustomCategory = Object.freeze({
  DRIVING: 'driving',
  ROBOTICS: 'robotics',
  AERIAL: 'aerial',
  SECURITY: 'security',
  ENVIRONMENT: 'environment',
});

export const OverlayMode = Object.freeze({
  TIMESTAMPS: 'timestamps',
  GPS: 'gps',
  CUSTOM: 'custom',
});

const col = (name, type, prompt, literals = []) => Object.freeze({ name, prompt, type, literals: Object.freeze(literals) });

/** The 22 ASAM OpenODD columns of the reference, in its order; the prompts are our own words. */
export const DEFAULT_STRUCTURED_ODD_COLUMNS = Object.freeze([
  col('timestamp', 'YYYY-MM-DDTHH:MM:SSZ', 'When the row applies, in ISO 8601 with the fixed date 2024-01-01, the clock time shown in the video, and a Z suffix.'),
  col('comment', 'string', 'A few words on what changed at this moment, using only letters, digits, spaces and hyphens.'),
  col('scenery.road.type', 'categorical', 'What kind of road the vehicle is driving on.', ['motorway', 'rural', 'urban_street', 'parking_lot', 'unpaved', 'unknown']),
  col('scenery.road.number_of_lanes', 'integer', 'How many lanes run in the direction of travel.'),
  col('scenery.road.lane_marking_type', 'categorical', 'How visible the markings of the ego lane are.', ['clear', 'blurred', 'temporary_yellow', 'none', 'unknown']),
  col('scenery.road.surface_condition', 'categorical', 'The state of the road surface.', ['dry', 'wet', 'icy', 'snow_covered', 'leaves_debris', 'potholes', 'uneven', 'unknown']),
  col('scenery.road.grade_category', 'categorical', 'How steeply the road rises or falls.', ['level', 'slight_incline', 'steep_incline', 'slight_decline', 'steep_decline', 'unknown']),
  col('scenery.road.speed_limit', 'km/h', 'The posted speed limit as a whole number; leave it blank when no sign is in view.'),
  col('scenery.road.is_construction_zone', 'boolean', '"true" when cones, barriers or other road-work signs are present, else "false".'),
  col('scenery.junction.type', 'categorical', 'The junction the vehicle is in or approaching.', ['none', 't_junction', 'four_way', 'roundabout', 'merge_lane', 'exit_lane', 'unknown']),
  col('scenery.junction.traffic_control', 'categorical', 'What controls that junction.', ['none', 'traffic_light', 'stop_sign', 'yield_sign', 'uncontrolled', 'unknown']),
  col('scenery.junction.is_signalized', 'boolean', '"true" exactly when the junction is controlled by a traffic light, else "false".'),
  col('scenery.participants.pedestrian.count', 'integer', 'Pedestrians on or next to the drivable area.'),
  col('scenery.participants.cyclist.count', 'integer', 'Cyclists and e-scooter riders.'),
  col('scenery.participants.car.count', 'integer', 'Passenger cars.'),
  col('scenery.participants.truck.count', 'integer', 'Trucks, buses and other large commercial vehicles.'),
  col('scenery.participants.emergency_vehicle.is_present', 'boolean', '"true" when any police car, ambulance or fire engine is visible, sirens on or not.'),
  col('environment.weather.precipitation_type', 'categorical', 'The kind of precipitation falling.', ['none', 'rain', 'snow', 'hail', 'sleet']),
  col('environment.weather.precipitation_intensity', 'categorical', 'How hard it is falling.', ['none', 'light', 'moderate', 'heavy', 'violent']),
  col('environment.weather.fog_density', 'categorical', 'How dense any fog or mist is.', ['none', 'light', 'moderate', 'dense']),
  col('environment.weather.is_sun_glare', 'boolean', '"true" when direct sunlight glares into the camera enough to hide details, else "false".'),
  col('environment.weather.lighting_condition', 'categorical', 'The overall light.', ['daylight', 'dusk_dawn', 'night_well_lit', 'night_unlit', 'tunnel']),
]);

export function defaultColumns() {
  return DEFAULT_STRUCTURED_ODD_COLUMNS;
}
