package review

// Topics are the Global Organized Crime Index's indicators, offered as
// suggestions for a revision's topic (which may also be free text). The
// 2023 edition added five markets and private sector actors.
var Topics = []string{
	// Criminal markets
	"Human trafficking", "Human smuggling", "Extortion and protection racketeering", "Arms trafficking",
	"Trade in counterfeit goods", "Illicit trade in excisable goods", "Flora crimes", "Fauna crimes",
	"Non-renewable resource crimes", "Heroin trade", "Cocaine trade", "Cannabis trade", "Synthetic drug trade",
	"Cyber-dependent crimes", "Financial crimes",
	// Criminal actors
	"Mafia-style groups", "Criminal networks", "State-embedded actors", "Foreign actors", "Private sector actors",
	// Resilience
	"Political leadership and governance", "Government transparency and accountability", "International cooperation",
	"National policies and laws", "Judicial system and detention", "Law enforcement", "Territorial integrity",
	"Anti-money laundering", "Economic regulatory capacity", "Victim and witness support", "Prevention",
	"Non-state actors",
}
