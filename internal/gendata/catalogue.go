package gendata

// product is one catalogue entry. ListCents is the undiscounted unit price in
// US cents; integers keep prices exact through discounts and formatting.
type product struct {
	SKU       string
	Name      string
	Category  string
	ListCents int64
}

// catalogue returns the built-in product list. It is a function rather than a
// package variable so that no caller can mutate shared state. SKUs follow
// CAT-TYPE-NNNN; the numbers are arbitrary but fixed, because downstream demo
// policies and tests may refer to specific SKUs.
func catalogue() []product {
	return []product{
		// Running
		{"RUN-SHOE-0042", "Trail Running Shoes", "Running", 12999},
		{"RUN-SHOE-0057", "Road Running Shoes", "Running", 11999},
		{"RUN-SHOE-0103", "Carbon Plate Racing Shoes", "Running", 24999},
		{"RUN-SOCK-0011", "Cushioned Running Socks (3-Pack)", "Running", 1899},
		{"RUN-APRL-0210", "Lightweight Running Jacket", "Running", 7999},
		{"RUN-APRL-0214", "Running Shorts with Liner", "Running", 3499},
		{"RUN-WTCH-0301", "GPS Running Watch", "Running", 29999},
		{"RUN-HYDR-0120", "Hydration Vest 5L", "Running", 8999},
		// Cycling
		{"CYC-HELM-0015", "Road Cycling Helmet", "Cycling", 8999},
		{"CYC-HELM-0022", "MIPS Mountain Bike Helmet", "Cycling", 13999},
		{"CYC-SHOE-0140", "Clipless Road Cycling Shoes", "Cycling", 15999},
		{"CYC-LGHT-0031", "Rechargeable Bike Light Set", "Cycling", 4999},
		{"CYC-APRL-0205", "Padded Cycling Bib Shorts", "Cycling", 9999},
		{"CYC-TOOL-0077", "Bike Multi-Tool 16-in-1", "Cycling", 2999},
		{"CYC-PUMP-0060", "Floor Pump with Gauge", "Cycling", 4499},
		{"CYC-COMP-0410", "Bike Computer with GPS", "Cycling", 19999},
		// Tennis
		{"TEN-RACK-0008", "Graphite Tennis Racket", "Tennis", 18999},
		{"TEN-RACK-0012", "Junior Tennis Racket 25\"", "Tennis", 4999},
		{"TEN-BALL-0003", "Tennis Balls (Can of 4)", "Tennis", 699},
		{"TEN-STRG-0027", "Polyester Tennis String Set", "Tennis", 1599},
		{"TEN-SHOE-0150", "All-Court Tennis Shoes", "Tennis", 10999},
		{"TEN-BAGS-0090", "Tennis Racket Bag (6 Rackets)", "Tennis", 6999},
		{"TEN-GRIP-0033", "Tennis Overgrip (3-Pack)", "Tennis", 999},
		// Football
		{"FTB-BALL-0005", "Match Football Size 5", "Football", 3999},
		{"FTB-BALL-0006", "Training Football Size 4", "Football", 1999},
		{"FTB-BOOT-0160", "Firm Ground Football Boots", "Football", 14999},
		{"FTB-GLOV-0045", "Goalkeeper Gloves", "Football", 4499},
		{"FTB-GUAR-0051", "Shin Guards with Ankle Sleeve", "Football", 1999},
		{"FTB-APRL-0220", "Replica Club Jersey", "Football", 8999},
		{"FTB-GOAL-0400", "Pop-Up Training Goal (Pair)", "Football", 7999},
		// Swimming
		{"SWM-GOGG-0018", "Anti-Fog Swimming Goggles", "Swimming", 2499},
		{"SWM-CAPS-0019", "Silicone Swim Cap", "Swimming", 1299},
		{"SWM-SUIT-0230", "Competition Swimsuit", "Swimming", 6999},
		{"SWM-SUIT-0233", "Training Jammer Swim Shorts", "Swimming", 3999},
		{"SWM-TRNG-0080", "Kickboard and Pull Buoy Set", "Swimming", 2999},
		{"SWM-FINS-0081", "Short Blade Training Fins", "Swimming", 3499},
		{"SWM-WETS-0240", "Open Water Wetsuit", "Swimming", 29999},
		// Camping
		{"CMP-TENT-0002", "2-Person Backpacking Tent", "Camping", 24999},
		{"CMP-TENT-0004", "4-Person Family Tent", "Camping", 34999},
		{"CMP-SLBG-0025", "Down Sleeping Bag -5°C", "Camping", 19999},
		{"CMP-SLPD-0026", "Inflatable Sleeping Pad", "Camping", 8999},
		{"CMP-STOV-0070", "Compact Camping Stove", "Camping", 5499},
		{"CMP-LAMP-0071", "LED Headlamp 400 Lumen", "Camping", 3499},
		{"CMP-COOK-0072", "Titanium Cook Pot Set", "Camping", 6999},
		{"CMP-CHAI-0073", "Folding Camp Chair", "Camping", 4999},
		// Hiking
		{"HIK-BOOT-0170", "Waterproof Hiking Boots", "Hiking", 17999},
		{"HIK-PACK-0300", "Daypack 28L", "Hiking", 8999},
		{"HIK-PACK-0305", "Trekking Backpack 65L", "Hiking", 22999},
		{"HIK-POLE-0046", "Carbon Trekking Poles (Pair)", "Hiking", 12999},
		{"HIK-APRL-0250", "Softshell Hiking Jacket", "Hiking", 14999},
		{"HIK-BOTL-0047", "Insulated Water Bottle 750ml", "Hiking", 2999},
		// Fitness
		{"FIT-DUMB-0020", "Adjustable Dumbbells 24kg (Pair)", "Fitness", 34999},
		{"FIT-KETL-0021", "Cast Iron Kettlebell 16kg", "Fitness", 5999},
		{"FIT-BAND-0023", "Resistance Bands Set", "Fitness", 2499},
		{"FIT-ROPE-0024", "Speed Jump Rope", "Fitness", 1499},
		{"FIT-BNCH-0500", "Adjustable Weight Bench", "Fitness", 19999},
		{"FIT-ROLL-0028", "Foam Roller 45cm", "Fitness", 2999},
		{"FIT-TRED-0900", "Folding Treadmill", "Fitness", 79999},
		// Yoga
		{"YOG-MATS-0009", "Non-Slip Yoga Mat 6mm", "Yoga", 4999},
		{"YOG-BLCK-0010", "Cork Yoga Block", "Yoga", 1999},
		{"YOG-STRP-0013", "Cotton Yoga Strap", "Yoga", 1099},
		{"YOG-APRL-0260", "High-Waist Yoga Leggings", "Yoga", 5999},
		{"YOG-BOLS-0014", "Meditation Bolster", "Yoga", 4499},
		// Golf
		{"GLF-DRVR-0180", "460cc Golf Driver", "Golf", 39999},
		{"GLF-IRON-0181", "Forged Iron Set 5-PW", "Golf", 89999},
		{"GLF-PUTT-0182", "Mallet Putter", "Golf", 17999},
		{"GLF-BALL-0007", "Tour Golf Balls (Dozen)", "Golf", 4999},
		{"GLF-GLOV-0048", "Leather Golf Glove", "Golf", 2299},
		{"GLF-BAGS-0310", "Golf Stand Bag", "Golf", 19999},
		{"GLF-RNGF-0320", "Laser Rangefinder", "Golf", 24999},
		// Winter Sports
		{"WIN-SKIS-0190", "All-Mountain Skis", "Winter Sports", 59999},
		{"WIN-BOOT-0191", "Alpine Ski Boots", "Winter Sports", 39999},
		{"WIN-SNBD-0192", "Freestyle Snowboard", "Winter Sports", 44999},
		{"WIN-HELM-0193", "Ski Helmet with Vents", "Winter Sports", 12999},
		{"WIN-GOGG-0194", "Ski Goggles with Spherical Lens", "Winter Sports", 14999},
		{"WIN-GLOV-0195", "Insulated Ski Gloves", "Winter Sports", 5999},
		{"WIN-APRL-0270", "Merino Base Layer Top", "Winter Sports", 7999},
		// Basketball
		{"BSK-BALL-0001", "Indoor/Outdoor Basketball Size 7", "Basketball", 3499},
		{"BSK-SHOE-0200", "High-Top Basketball Shoes", "Basketball", 13999},
		{"BSK-HOOP-0600", "Portable Basketball Hoop", "Basketball", 49999},
		{"BSK-APRL-0280", "Basketball Shorts", "Basketball", 3999},
		{"BSK-SLEV-0029", "Compression Arm Sleeve", "Basketball", 1499},
		// Racket & water sports extras
		{"BAD-RACK-0034", "Badminton Racket", "Badminton", 5999},
		{"BAD-SHTL-0035", "Feather Shuttlecocks (Tube of 12)", "Badminton", 2499},
		{"PAD-BORD-0700", "Inflatable Stand-Up Paddle Board", "Water Sports", 49999},
		{"PAD-VEST-0701", "Buoyancy Aid Vest", "Water Sports", 6999},
	}
}
