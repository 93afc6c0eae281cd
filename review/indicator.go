package review

import (
	"slices"
	"strings"
)

// IndicatorKind is what an Index indicator measures.
type IndicatorKind string

const (
	KindMarket     IndicatorKind = "market"     // a criminal market
	KindActor      IndicatorKind = "actor"      // a criminal actor type
	KindResilience IndicatorKind = "resilience" // a resilience indicator
	KindAverage    IndicatorKind = "average"    // one of the sheet's averages
)

// Indicator is one of the Global Organized Crime Index's scored
// indicators, under the name the Index gives it. Group is the heading the
// country profiles put it under (PEOPLE, DRUGS, CRIMINAL ACTORS, …), and
// Words are the stems that say a sentence is about it; both serve to
// suggest a claim's indicator.
type Indicator struct {
	Name  string        `json:"name"`
	Kind  IndicatorKind `json:"kind"`
	Group string        `json:"group,omitempty"`
	Words []string      `json:"-"`
}

// Indicators lists the Index's indicators in the order of its sheets:
// markets, actor types, resilience. The 2023 edition added five markets and
// private sector actors; a sheet may hold any of them.
var Indicators = []Indicator{
	{"Human trafficking", KindMarket, "PEOPLE", []string{"trafficking in persons", "human trafficking", "trafficked", "forced labour", "forced labor", "sexual exploitation", "victims of trafficking"}},
	{"Human smuggling", KindMarket, "PEOPLE", []string{"smuggling", "smuggler", "irregular migra", "migrant"}},
	{"Extortion and protection racketeering", KindMarket, "PEOPLE", []string{"extortion", "racketeer", "protection money"}},
	{"Arms trafficking", KindMarket, "TRADE", []string{"arms", "weapon", "firearm"}},
	{"Trade in counterfeit goods", KindMarket, "TRADE", []string{"counterfeit"}},
	{"Illicit trade in excisable goods", KindMarket, "TRADE", []string{"excisable", "cigarette", "tobacco", "alcohol"}},
	{"Flora crimes", KindMarket, "ENVIRONMENT", []string{"flora", "logging", "timber", "forest"}},
	{"Fauna crimes", KindMarket, "ENVIRONMENT", []string{"fauna", "wildlife", "poach", "caviar", "sturgeon"}},
	{"Non-renewable resource crimes", KindMarket, "ENVIRONMENT", []string{"oil", "gas", "mining", "gold", "fuel", "mineral"}},
	{"Heroin trade", KindMarket, "DRUGS", []string{"heroin", "opium", "opiate"}},
	{"Cocaine trade", KindMarket, "DRUGS", []string{"cocaine"}},
	{"Cannabis trade", KindMarket, "DRUGS", []string{"cannabis", "marijuana", "hashish"}},
	{"Synthetic drug trade", KindMarket, "DRUGS", []string{"synthetic", "methamphetamine", "amphetamine", "captagon", "tramadol", "ecstasy"}},
	{"Cyber-dependent crimes", KindMarket, "CYBER-CRIMES", []string{"cyber", "ransomware", "hacking"}},
	{"Financial crimes", KindMarket, "FINANCIAL CRIMES", []string{"fraud", "embezzle", "tax evasion", "financial crime"}},

	{"Mafia-style groups", KindActor, "CRIMINAL ACTORS", []string{"mafia"}},
	{"Criminal networks", KindActor, "CRIMINAL ACTORS", []string{"criminal network", "networks"}},
	{"State-embedded actors", KindActor, "CRIMINAL ACTORS", []string{"state-embedded", "officials", "corrupt", "president", "elite"}},
	{"Foreign actors", KindActor, "CRIMINAL ACTORS", []string{"foreign", "diaspora"}},
	{"Private sector actors", KindActor, "CRIMINAL ACTORS", []string{"private sector", "companies", "businesses"}},

	{"Political leadership and governance", KindResilience, "LEADERSHIP AND GOVERNANCE", []string{"political leadership", "governance", "political will", "clientelism", "patronage"}},
	{"Government transparency and accountability", KindResilience, "LEADERSHIP AND GOVERNANCE", []string{"transparency", "accountability", "access to information", "corruption"}},
	{"International cooperation", KindResilience, "LEADERSHIP AND GOVERNANCE", []string{"international", "treaties", "treaty", "extradition", "cooperation"}},
	{"National policies and laws", KindResilience, "LEADERSHIP AND GOVERNANCE", []string{"legislation", "legal framework", "policies", "laws", "law "}},
	{"Judicial system and detention", KindResilience, "CRIMINAL JUSTICE AND SECURITY", []string{"judicia", "judge", "court", "prison", "detention", "custody"}},
	{"Law enforcement", KindResilience, "CRIMINAL JUSTICE AND SECURITY", []string{"law enforcement", "police", "anti-organized crime unit", "first responders"}},
	{"Territorial integrity", KindResilience, "CRIMINAL JUSTICE AND SECURITY", []string{"territor", "border", "conflict"}},
	{"Anti-money laundering", KindResilience, "ECONOMIC AND FINANCIAL ENVIRONMENT", []string{"money laundering", "anti-money", "financial sector", "currency"}},
	{"Economic regulatory capacity", KindResilience, "ECONOMIC AND FINANCIAL ENVIRONMENT", []string{"business", "economic", "monopol", "tender", "regulat"}},
	{"Victim and witness support", KindResilience, "CIVIL SOCIETY AND SOCIAL PROTECTION", []string{"victim", "witness", "shelter"}},
	{"Prevention", KindResilience, "CIVIL SOCIETY AND SOCIAL PROTECTION", []string{"prevention", "awareness"}},
	{"Non-state actors", KindResilience, "CIVIL SOCIETY AND SOCIAL PROTECTION", []string{"ngo", "civil society", "journalist", "media", "activist"}},
}

// Averages are the sheets' own summary scores: criminal markets is the mean
// of the market scores, criminal actors the mean of the actor scores,
// criminality the mean of those two, resilience the mean of the resilience
// indicators.
var Averages = []Indicator{
	{Name: "Criminality", Kind: KindAverage},
	{Name: "Criminal markets", Kind: KindAverage},
	{Name: "Criminal actors", Kind: KindAverage},
	{Name: "Resilience", Kind: KindAverage},
}

// Topics are the indicators' names, offered as suggestions for a claim's
// topic (which may also be free text): a topic that names an indicator
// links the claim to it.
var Topics = func() []string {
	ts := make([]string, len(Indicators))
	for i, in := range Indicators {
		ts[i] = in.Name
	}
	return ts
}()

// FindIndicator returns the indicator or average with the given name,
// ignoring case and surrounding space.
func FindIndicator(name string) (Indicator, bool) {
	name = strings.TrimSpace(name)
	for _, in := range Indicators {
		if strings.EqualFold(in.Name, name) {
			return in, true
		}
	}
	for _, in := range Averages {
		if strings.EqualFold(in.Name, name) {
			return in, true
		}
	}
	return Indicator{}, false
}

// IndicatorOf returns the indicator a claim's topic links it to: the
// indicator (not an average) the topic names.
func IndicatorOf(topic string) (Indicator, bool) {
	in, ok := FindIndicator(topic)
	if !ok || in.Kind == KindAverage {
		return Indicator{}, false
	}
	return in, true
}

// IndicatorsIn returns the indicators a profile's section heading groups
// (PEOPLE gives human trafficking, human smuggling and extortion), in the
// Index's order; none for a heading that is no group.
func IndicatorsIn(heading string) []Indicator {
	var out []Indicator
	for _, in := range Indicators {
		if in.Group != "" && strings.EqualFold(strings.TrimSpace(heading), in.Group) {
			out = append(out, in)
		}
	}
	return out
}

// SuggestIndicator suggests the indicator a sentence of a section is about:
// among the section's indicators (all of them when the heading is no
// group), the one whose words the sentence uses most, the first of the
// section on a tie or when none is used; ok is false when nothing fits.
func SuggestIndicator(heading, sentence string) (Indicator, bool) {
	cands := IndicatorsIn(heading)
	inGroup := len(cands) > 0
	if !inGroup {
		cands = Indicators
	}
	s := strings.ToLower(sentence)
	best, bestHits := -1, 0
	for i, in := range cands {
		hits := 0
		for _, w := range in.Words {
			hits += strings.Count(s, w)
		}
		if hits > bestHits {
			best, bestHits = i, hits
		}
	}
	switch {
	case best >= 0:
		return cands[best], true
	case inGroup:
		return cands[0], true
	}
	return Indicator{}, false
}

// indicatorRank orders indicators as the sheets do, averages first.
func indicatorRank(name string) int {
	if i := slices.IndexFunc(Averages, func(in Indicator) bool { return in.Name == name }); i >= 0 {
		return i
	}
	if i := slices.IndexFunc(Indicators, func(in Indicator) bool { return in.Name == name }); i >= 0 {
		return len(Averages) + i
	}
	return len(Averages) + len(Indicators)
}
