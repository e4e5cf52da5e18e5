# language: it
@criticita @rete @simulatore
Funzionalità: Connettività su host di rete reali (IP autorizzati, VPN, DNS)
  Le API degli intermediari sono spesso raggiungibili solo attraverso una VPN o da
  indirizzi IP fissi autorizzati, anche quando l'integrazione la sviluppa una società
  esterna. Qui proxy e intermediario stanno su due host distinti, collegati da una LAN
  e da una VPN: il fornitore vede l'indirizzo sorgente reale, le rotte esistono o cadono
  davvero. La diagnosi del proxy deve dire cosa chiedere al fornitore o cosa controllare,
  e nessun pagamento deve andare perso né essere duplicato.

  Scenario: il fornitore autorizza solo la VPN e chiude la connessione alla LAN
    Dato il fornitore autorizza solo l'indirizzo della VPN e chiude la connessione agli altri
    E la VPN non è collegata, quindi il proxy esce dall'indirizzo della LAN
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il proxy registra il motivo "CONNECTION" e riproverà la creazione
    E la diagnosi indica l'indirizzo della LAN come sorgente da autorizzare
    Quando la VPN viene collegata
    E arriva il momento del nuovo tentativo
    Allora il pagamento passa in stato PAYMENT_PENDING
    E l'intermediario ha una sola posizione debitoria per quel pagamento

  Scenario: il fornitore autorizza solo la VPN e risponde 403 alla LAN
    Dato il fornitore autorizza solo l'indirizzo della VPN e risponde 403 agli altri
    E la VPN non è collegata, quindi il proxy esce dall'indirizzo della LAN
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il pagamento passa in stato CREATION_FAILED
    E il fornitore ha visto l'indirizzo della LAN e la diagnosi lo indica da autorizzare

  Scenario: la VPN cade durante il collaudo e poi torna
    Dato il fornitore autorizza solo l'indirizzo della VPN e chiude la connessione agli altri
    E il collegamento VPN cade
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il proxy registra il motivo "timed out" e riproverà la creazione
    E la vista dell'operatore indica l'intermediario irraggiungibile tramite la rotta della VPN
    Quando il collegamento VPN torna su
    E arriva il momento del nuovo tentativo
    Allora il pagamento passa in stato PAYMENT_PENDING
    E l'intermediario ha una sola posizione debitoria per quel pagamento

  Scenario: il fornitore sblocca il nuovo IP mentre il proxy riprova
    Dato il fornitore autorizza solo l'indirizzo della VPN e chiude la connessione agli altri
    E la VPN non è collegata, quindi il proxy esce dall'indirizzo della LAN
    Quando il cittadino presenta la domanda di occupazione suolo pubblico
    Allora il proxy registra il motivo "CONNECTION" e riproverà la creazione
    Quando il fornitore autorizza l'indirizzo della LAN dalla sua console di amministrazione
    E arriva il momento del nuovo tentativo
    Allora il pagamento passa in stato PAYMENT_PENDING
    E l'intermediario ha una sola posizione debitoria per quel pagamento

  Scenario: il nome dell'intermediario risolve a un indirizzo sbagliato sull'host del proxy
    Dato sull'host del proxy il nome dell'intermediario risolve a un indirizzo irraggiungibile
    Quando l'integratore esegue collaudo doctor dall'host del proxy
    Allora il referto indica l'indirizzo risolto e che l'intermediario non è raggiungibile
