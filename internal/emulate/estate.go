package emulate

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Platform is Falcon's event_platform value.
type Platform string

const (
	Windows Platform = "Win"
	Linux   Platform = "Lin"
)

// Role says what a host is for; it decides its background activity and
// whether it is one of the seed's known false-positive sources.
type Role string

const (
	RoleWorkstation Role = "workstation"
	RoleServer      Role = "server"
	RoleDeveloper   Role = "developer"
	RoleSOC         Role = "soc"     // analysts look up Shodan/Censys/GreyNoise
	RoleScanner     Role = "scanner" // vulnerability scanner engine
	RoleSOAR        Role = "soar"    // SOAR worker running enrichment scripts
	RoleKiosk       Role = "kiosk"   // lobby, info-desk and signage PCs: a browser and nothing else
)

// Account is a user or service identity. Windows accounts have a SID;
// Linux accounts a UID.
type Account struct {
	Name            string // as the sensor reports UserName
	Domain          string // NetBIOS domain, "NT AUTHORITY", or the host for local accounts
	SID             string // Windows only
	UID             uint32 // Linux only
	Kind            string // "user", "service" or "system"
	Admin           bool
	Platform        Platform
	AuthID          uint64 // logon session id (Windows AuthenticationId)
	PasswordLastSet int64  // epoch ms, Windows only
}

// Host is one sensor (one aid).
type Host struct {
	AID           string
	ComputerName  string
	Platform      Platform
	Role          Role
	OSVersion     string
	ProductType   string // "1.0" workstation, "3.0" server
	AgentVersion  string
	ConfigBuild   string
	MachineDomain string
	OU            string
	SiteName      string
	City          string
	Country       string
	Continent     string
	Timezone      string
	LocalIP       string
	AIP           string
	Volume        int        // NT \Device\HarddiskVolumeN of the system drive
	Users         []*Account // interactive users, first is primary
	Service       *Account   // account the role software runs as (scanner, SOAR)
	FirstSeen     int64      // epoch ms
}

// Estate is the fleet the emulator generates telemetry for. The lists of
// false-positive sources are what the rule package's lookup files should hold.
type Estate struct {
	CID             string
	Domain          string // NetBIOS domain of Windows accounts
	Hosts           []*Host
	Accounts        []*Account // every Windows account, for userinfo
	SOCHosts        []string   // ComputerNames of SOC analyst workstations
	ScannerHosts    []string   // ComputerNames of vulnerability scanner engines
	ScannerAccounts []string   // UserNames the scanner engines run as
	SOARHosts       []string   // ComputerNames of SOAR workers
	SOARScripts     []string   // script paths of SOAR enrichment playbooks
	SOARWorker      string     // ImageFileName of the SOAR worker (the scripts' parent)
	DeveloperHosts  []string   // ComputerNames of developer machines
	KioskHosts      []string   // ComputerNames of kiosk-style hosts

	attack map[Platform]*Host
}

// AttackHost is the host on which the atomic tests run for platform p.
func (e *Estate) AttackHost(p Platform) *Host { return e.attack[p] }

// HostByName returns the host with that ComputerName, or nil.
func (e *Estate) HostByName(name string) *Host {
	for _, h := range e.Hosts {
		if h.ComputerName == name {
			return h
		}
	}
	return nil
}

// MinHosts is the smallest estate that holds every role and both attack
// hosts; MaxHosts keeps the estate (held in memory) reasonable.
const (
	MinHosts = 8
	MaxHosts = 100000
	// kioskEvery spaces kiosk hosts through the estate.
	kioskEvery = 15
)

var firstNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
	"mallory", "nina", "oscar", "peggy", "quinn", "rupert", "sybil", "trent", "ursula", "victor", "wendy", "yusuf", "zoe", "omar"}
var lastNames = []string{"smith", "jones", "brown", "garcia", "miller", "davis", "lopez", "wilson", "taylor", "moore",
	"clark", "lewis", "walker", "young", "king", "wright", "hill", "green", "baker", "nelson"}

type site struct{ name, city, country, continent, tz, aip string }

var sites = []site{
	{"HQ-NYC", "New York", "United States", "North America", "America/New_York", "198.51.100.23"},
	{"DC-FRA", "Frankfurt", "Germany", "Europe", "Europe/Berlin", "203.0.113.54"},
	{"BR-LON", "London", "United Kingdom", "Europe", "Europe/London", "192.0.2.77"},
}

// DefaultEstate builds a deterministic fleet of hosts: two SOC workstations,
// a Windows and a Linux scanner engine, a SOAR worker, developers, servers
// and workstations. hosts must be at least MinHosts.
func DefaultEstate(seed int64, hosts int) (*Estate, error) {
	if hosts < MinHosts || hosts > MaxHosts {
		return nil, fmt.Errorf("emulate: hosts must be between %d and %d, got %d", MinHosts, MaxHosts, hosts)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x65737461746531))
	e := &Estate{
		CID:    randHex(rng, 32),
		Domain: "CORP",
		attack: map[Platform]*Host{},
	}
	domainSID := fmt.Sprintf("S-1-5-21-%d-%d-%d", 1000000000+rng.IntN(1e9), 1000000000+rng.IntN(1e9), 1000000000+rng.IntN(1e9))
	nextRID := 1104
	// unique picks a random name, numbering it once the plain name is taken.
	seen := map[string]int{}
	unique := func(name string) string {
		seen[name]++
		if n := seen[name]; n > 1 {
			name = fmt.Sprintf("%s%d", name, n)
		}
		return name
	}
	newWinUser := func(kind, name string) *Account {
		if name == "" {
			name = unique(firstNames[rng.IntN(len(firstNames))] + "." + lastNames[rng.IntN(len(lastNames))])
		}
		a := &Account{Name: name, Domain: e.Domain, SID: fmt.Sprintf("%s-%d", domainSID, nextRID), Kind: kind,
			Platform: Windows, AuthID: uint64(1e6 + rng.IntN(9e9)),
			PasswordLastSet: 1.69e12 + rng.Int64N(3e10)}
		nextRID += 1 + rng.IntN(40)
		e.Accounts = append(e.Accounts, a)
		return a
	}
	newLinUser := func(kind, name string, uid uint32) *Account {
		if name == "" {
			name = unique(firstNames[rng.IntN(len(firstNames))])
		}
		return &Account{Name: name, UID: uid, Kind: kind, Platform: Linux}
	}

	counts := map[string]int{}
	name := func(prefix string) string {
		counts[prefix]++
		return fmt.Sprintf("%s%02d", prefix, counts[prefix])
	}
	add := func(p Platform, role Role, computer string) *Host {
		s := sites[rng.IntN(len(sites))]
		h := &Host{
			AID: randHex(rng, 32), ComputerName: computer, Platform: p, Role: role,
			MachineDomain: "corp.example.com", SiteName: s.name, City: s.city, Country: s.country,
			Continent: s.continent, Timezone: s.tz, AIP: s.aip,
			LocalIP:   fmt.Sprintf("10.%d.%d.%d", 10+len(e.Hosts)%6, rng.IntN(250)+1, rng.IntN(250)+2),
			Volume:    []int{3, 3, 3, 2, 4}[rng.IntN(5)],
			FirstSeen: 1.65e12 + rng.Int64N(6e10),
		}
		switch p {
		case Windows:
			h.AgentVersion = []string{"7.16.18605.0", "7.17.18721.0", "7.18.18911.0"}[rng.IntN(3)]
			h.ConfigBuild = "1007.3.00" + h.AgentVersion[5:10] + ".1"
			h.ProductType = "1.0"
			h.OSVersion = []string{"Windows 10", "Windows 11"}[rng.IntN(2)]
			if role == RoleServer || role == RoleScanner {
				h.ProductType = "3.0"
				h.OSVersion = "Windows Server 2022"
			}
			h.OU = "Workstations;" + s.name
			if h.ProductType == "3.0" {
				h.OU = "Servers;" + s.name
			}
		case Linux:
			h.AgentVersion = []string{"7.16.17305.0", "7.18.17706.0"}[rng.IntN(2)]
			h.ConfigBuild = "1007.8.00" + h.AgentVersion[5:10] + ".1"
			h.ProductType = "3.0"
			h.OSVersion = []string{"Ubuntu 22.04", "Ubuntu 24.04", "RHEL 9.4"}[rng.IntN(3)]
			h.MachineDomain = "none"
			h.OU = "none"
		}
		e.Hosts = append(e.Hosts, h)
		return h
	}
	linUID := uint32(1000)
	addLinUsers := func(h *Host, n int) {
		for i := 0; i < n; i++ {
			h.Users = append(h.Users, newLinUser("user", "", linUID))
			linUID++
		}
	}

	for i := 0; i < 2; i++ {
		h := add(Windows, RoleSOC, name("SOC-WS-"))
		h.Users = []*Account{newWinUser("user", "")}
		e.SOCHosts = append(e.SOCHosts, h.ComputerName)
	}
	nessus := newWinUser("service", "svc-nessus")
	h := add(Windows, RoleScanner, name("SCAN-NESSUS-"))
	h.Service = nessus
	e.ScannerHosts = append(e.ScannerHosts, h.ComputerName)
	h = add(Linux, RoleScanner, name("scan-ivm-"))
	h.Service = newLinUser("service", "svc-insightvm", 994)
	e.ScannerHosts = append(e.ScannerHosts, h.ComputerName)
	e.ScannerAccounts = []string{nessus.Name, h.Service.Name}

	h = add(Linux, RoleSOAR, name("soar-worker-"))
	h.Service = newLinUser("service", "soar", 995)
	e.SOARHosts = append(e.SOARHosts, h.ComputerName)
	e.SOARWorker = "/opt/soar/bin/soar-worker"
	e.SOARScripts = []string{"/opt/soar/playbooks/ip_enrich.py", "/opt/soar/playbooks/geoip_lookup.py"}

	// The attack hosts look like any other machine in the fleet.
	h = add(Windows, RoleWorkstation, name("WKS-"))
	h.Users = []*Account{newWinUser("user", "")}
	e.attack[Windows] = h
	h = add(Linux, RoleDeveloper, name("dev-lin-"))
	addLinUsers(h, 1)
	e.attack[Linux] = h
	e.DeveloperHosts = append(e.DeveloperHosts, h.ComputerName)

	// A few kiosks (one in every kioskEvery hosts, from the ninth on) among
	// the usual mix; MinHosts estates have none.
	kioskKinds := []string{"KIOSK-LOBBY-", "INFO-DESK-", "RECEPTION-", "SIGNAGE-"}
	for len(e.Hosts) < hosts {
		switch k := len(e.Hosts) % 7; {
		case len(e.Hosts)%kioskEvery == MinHosts:
			h = add(Windows, RoleKiosk, name(kioskKinds[len(e.KioskHosts)%len(kioskKinds)]))
			h.OU = "Kiosks;" + h.SiteName
			// Kiosks log on automatically with an account named for the machine.
			h.Users = []*Account{newWinUser("user", strings.ToLower(h.ComputerName))}
			e.KioskHosts = append(e.KioskHosts, h.ComputerName)
		case k <= 2:
			h = add(Windows, RoleWorkstation, name("WKS-"))
			h.Users = []*Account{newWinUser("user", "")}
		case k == 3:
			h = add(Windows, RoleServer, name("SRV-APP-"))
			h.Users = []*Account{newWinUser("user", "adm."+lastNames[rng.IntN(len(lastNames))]+fmt.Sprint(len(e.Hosts)))}
		case k == 4:
			h = add(Linux, RoleServer, name("web-"))
			addLinUsers(h, 1)
		case k == 5:
			h = add(Windows, RoleDeveloper, name("DEV-WIN-"))
			h.Users = []*Account{newWinUser("user", "")}
			e.DeveloperHosts = append(e.DeveloperHosts, h.ComputerName)
		default:
			h = add(Linux, RoleDeveloper, name("dev-lin-"))
			addLinUsers(h, 2)
			e.DeveloperHosts = append(e.DeveloperHosts, h.ComputerName)
		}
	}
	return e, nil
}

func randHex(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[rng.IntN(16)]
	}
	return string(b)
}

// Well-known Windows principals.
var (
	acctSystem         = &Account{Name: "SYSTEM", Domain: "NT AUTHORITY", SID: "S-1-5-18", Kind: "system", Platform: Windows, AuthID: 999}
	acctLocalService   = &Account{Name: "LOCAL SERVICE", Domain: "NT AUTHORITY", SID: "S-1-5-19", Kind: "system", Platform: Windows, AuthID: 997}
	acctNetworkService = &Account{Name: "NETWORK SERVICE", Domain: "NT AUTHORITY", SID: "S-1-5-20", Kind: "system", Platform: Windows, AuthID: 996}
	acctRoot           = &Account{Name: "root", UID: 0, Kind: "system", Platform: Linux}
)

// WriteAidmaster writes one aidmaster record per host (FDR fdrv2/aidmaster
// shape; every value a string) snapshotted at time at.
func (e *Estate) WriteAidmaster(w io.Writer, at time.Time) error {
	bw := bufio.NewWriter(w)
	var r record
	ms := at.UnixMilli()
	for _, h := range e.Hosts {
		r.reset()
		r.str("AgentLoadFlags", "0")
		r.int("AgentLocalTime", ms/1000)
		r.str("AgentTimeOffset", "0.000")
		r.str("AgentVersion", h.AgentVersion)
		r.str("BiosManufacturer", "VMware, Inc.")
		r.str("BiosVersion", "VMW71.00V.21100432.B64.2301110304")
		r.str("ChassisType", "Other")
		r.str("City", h.City)
		r.str("ComputerName", h.ComputerName)
		r.str("ConfigBuild", h.ConfigBuild)
		r.str("ConfigIDBuild", h.AgentVersion[5:10])
		r.str("Continent", h.Continent)
		r.str("Country", h.Country)
		r.str("FalconGroupingTags", "'FalconGroupingTags/"+string(h.Role)+"'")
		r.secs("FirstSeen", h.FirstSeen)
		r.str("HostHiddenStatus", "Visible")
		r.str("MachineDomain", h.MachineDomain)
		r.str("OU", h.OU)
		r.str("PointerSize", "8")
		r.str("ProductType", h.ProductType)
		r.str("SensorGroupingTags", "none")
		r.str("ServicePackMajor", "0")
		r.str("SiteName", h.SiteName)
		r.str("SystemManufacturer", "VMware, Inc.")
		r.str("SystemProductName", "VMware7,1")
		r.secs("Time", ms)
		r.str("Timezone", h.Timezone)
		r.str("Version", h.OSVersion)
		r.str("aid", h.AID)
		r.str("aip", h.AIP)
		r.str("cid", e.CID)
		r.str("event_platform", string(h.Platform))
		if _, err := bw.Write(r.finish()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// WriteUserinfo writes one userinfo record per Windows domain account
// (Falcon Discover covers Windows only).
func (e *Estate) WriteUserinfo(w io.Writer, at time.Time) error {
	bw := bufio.NewWriter(w)
	var r record
	ms := at.UnixMilli()
	lastHost := map[*Account]string{}
	for _, h := range e.Hosts {
		if h.Service != nil {
			lastHost[h.Service] = h.ComputerName
		}
		if len(h.Users) > 0 {
			lastHost[h.Users[0]] = h.ComputerName
		}
	}
	for _, a := range e.Accounts {
		last := lastHost[a]
		if last == "" {
			last = "none"
		}
		logonType := "Interactive"
		if a.Kind == "service" {
			logonType = "Service"
		}
		r.reset()
		r.str("AccountType", "Domain User")
		r.str("LastLoggedOnHost", last)
		r.str("LocalAdminAccess", yesNo(a.Admin))
		r.str("LogonInfo", "Domain User Logon")
		r.secs("LogonTime", ms-3600_000)
		r.str("LogonType", logonType)
		r.secs("PasswordLastSet", a.PasswordLastSet)
		r.str("User", a.Domain+`\`+strings.ToUpper(a.Name))
		r.str("UserIsAdmin", boolDigit(a.Admin))
		r.str("UserLogonFlags_decimal", "0")
		r.str("UserName", a.Name)
		r.str("UserSid_readable", a.SID)
		r.secs("_time", ms)
		r.str("cid", e.CID)
		r.str("event_platform", "Win")
		r.str("monthsincereset", "1.0")
		if _, err := bw.Write(r.finish()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
